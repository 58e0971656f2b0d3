import { test, expect, openApp, addCustomer } from './fixtures';
import type { Page } from '@playwright/test';

const preview = (page: Page) => page.locator('.points-preview [role=status]');
const options = (page: Page, name = 'Customer') => page.getByRole('listbox', { name }).getByRole('option');

/// Records a sale from the keyboard alone: N, the customer typed and picked with Enter, the amount,
/// optionally points to redeem, Enter to save.
async function keyboardSale(page: Page, who: string, amount: string, redeem?: string) {
  await page.getByRole('main').focus();
  await page.keyboard.press('n');
  await expect(page.getByRole('heading', { name: 'New sale', level: 1 })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Customer' })).toBeFocused();
  await page.keyboard.type(who);
  await expect(options(page).first()).toContainText(who);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: 'Amount (before points)' })).toBeFocused();
  await page.keyboard.type(amount);
  if (redeem) {
    // Category, quantity, then the points to redeem.
    await page.keyboard.press('Tab');
    await page.keyboard.type('Coffee beans');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('spinbutton', { name: 'Points to redeem' })).toBeFocused();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(redeem);
  }
}

test('a sale with points earned and then redeemed, keyboard only', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Wang Fang', phone: '13800138000' });

  await keyboardSale(page, 'Wang', '300');
  await expect(preview(page)).toContainText('Tier: 普通 Standard ×1');
  await expect(preview(page)).toContainText('Points earned: 300');
  await expect(preview(page)).toContainText('Balance: 0 → 300 points');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Sale of ¥300.00 saved for Wang Fang; points balance 300.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sales', level: 1 })).toBeVisible();

  // Typing the phone finds her too; 100 points take ¥1 off and the rest earns points.
  await keyboardSale(page, '138001', '50', '100');
  await expect(preview(page)).toContainText('Points redeemed: 100 (−¥1.00)');
  await expect(preview(page)).toContainText('To pay: ¥49.00');
  await expect(preview(page)).toContainText('Points earned: 49');
  await expect(preview(page)).toContainText('Balance: 300 → 249 points');
  // More than she has is refused before saving.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('400');
  await expect(page.getByText('The customer has 300 points; 400 cannot be redeemed.').first()).toBeVisible();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('100');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Sale of ¥49.00 saved for Wang Fang; points balance 249.')).toBeVisible();

  const rows = page.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(page.getByText('2 of 2 sales shown · total ¥349.00')).toBeVisible();
  await expect(rows.nth(1)).toContainText('Coffee beans');
  await expect(rows.nth(1)).toContainText('¥49.00');
  await expect(rows.nth(1)).toContainText('100');

  // The customer's page shows the balance, and it survives a reload.
  await page.reload();
  await page.getByRole('link', { name: 'Wang Fang' }).first().click();
  await expect(page.locator('.balance').first()).toHaveText('249 points');
  await expect(page.getByText(/more spend to reach 银卡 Silver/)).toBeVisible();
});

test('edit a sale, delete it, and undo the delete', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Chen Jing' });
  await keyboardSale(page, 'Chen', '100');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Sale of ¥100.00 saved for Chen Jing; points balance 100.')).toBeVisible();

  await page.getByRole('link', { name: /^Edit sale of / }).click();
  await expect(page.getByRole('heading', { name: 'Edit sale' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Customer' })).toHaveValue('Chen Jing');
  const amount = page.getByRole('textbox', { name: 'Amount (before points)' });
  await expect(amount).toHaveValue('100.00');
  await amount.fill('250');
  // Its own earlier points do not count towards the balance it starts from.
  await expect(preview(page)).toContainText('Balance: 0 → 250 points');
  await page.getByRole('button', { name: 'Save sale' }).click();
  await expect(page.getByText('Sale of ¥250.00 saved for Chen Jing; points balance 250.')).toBeVisible();
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('¥250.00');

  await page.getByRole('button', { name: /^Delete sale of / }).click();
  await expect(page.getByText('Sale of ¥250.00 deleted.')).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(page.getByText('No sales match.')).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText('Sale restored.')).toBeVisible();
  await expect(rows).toHaveCount(2);
  await page.reload();
  await expect(rows.nth(1)).toContainText('¥250.00');
  await rows.nth(1).getByRole('link', { name: 'Chen Jing' }).click();
  await expect(page.locator('.balance').first()).toHaveText('250 points');
});

test('the orders list filters by date range, customer and category', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Anna Li' });
  await addCustomer(page, { name: 'Bo Wang' });
  const sale = async (who: string, amount: string, category: string, date: string) => {
    await page.goto('/#/sales/new');
    await page.getByRole('combobox', { name: 'Customer' }).fill(who);
    await page.getByRole('listbox', { name: 'Customer' }).getByRole('option', { name: who, exact: true }).click();
    await page.getByRole('textbox', { name: 'Amount (before points)' }).fill(amount);
    await page.getByRole('combobox', { name: 'Item or category' }).fill(category);
    await page.getByLabel('Date and time').fill(date);
    await page.getByRole('button', { name: 'Save sale' }).click();
    await expect(page.getByRole('heading', { name: 'Sales', level: 1 })).toBeVisible();
  };
  await sale('Anna Li', '10', 'Tea', '2026-01-05T10:00');
  await sale('Anna Li', '20', 'Cake', '2026-02-05T10:00');
  await sale('Bo Wang', '30', 'Tea', '2026-03-05T10:00');
  await expect(page.getByText('3 of 3 sales shown · total ¥60.00')).toBeVisible();
  await page.getByLabel('Category', { exact: true }).selectOption('Tea');
  await expect(page.getByText('2 of 2 sales shown · total ¥40.00')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Customer' }).fill('anna');
  await expect(page.getByText('1 of 1 sales shown · total ¥10.00')).toBeVisible();
  await page.getByLabel('Category', { exact: true }).selectOption('');
  await page.getByLabel('From', { exact: true }).fill('2026-02-01');
  await expect(page.getByText('1 of 1 sales shown · total ¥20.00')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Customer' }).fill('');
  await page.getByLabel('To', { exact: true }).fill('2026-02-28');
  await expect(page.getByText('1 of 1 sales shown · total ¥20.00')).toBeVisible();
  await page.getByLabel('To', { exact: true }).fill('');
  await expect(page.getByText('2 of 2 sales shown · total ¥50.00')).toBeVisible();
});

test('a change to the loyalty programme changes the points of the next sale', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Li Lei' });
  await page.getByRole('link', { name: 'Loyalty' }).click();
  await expect(page.getByRole('heading', { name: 'Loyalty programme' })).toBeVisible();
  const perUnit = page.getByRole('textbox', { name: 'Points per currency unit' });
  await perUnit.fill('0');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Points per currency unit must be a number above 0.')).toBeVisible();
  await perUnit.fill('2');
  await page.getByRole('group', { name: 'Tier 1' }).getByRole('textbox', { name: 'Points multiplier' }).fill('1.5');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Loyalty programme saved.')).toBeVisible();

  await page.reload();
  await expect(perUnit).toHaveValue('2');
  await keyboardSale(page, 'Li Lei', '10');
  await expect(preview(page)).toContainText('Tier: 普通 Standard ×1.5');
  // ⌊10 yuan × 2 points × 1.5⌋
  await expect(preview(page)).toContainText('Points earned: 30');
});

test('简体中文: a sale for a new customer created on the spot', async ({ browser }) => {
  // On a 360-px phone: nothing scrolls sideways.
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 } });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const page = await context.newPage();
  await page.goto('/#/sales/new');
  await expect(page.getByRole('heading', { name: '新建销售', level: 1 })).toBeVisible();
  await expect(page.getByRole('combobox', { name: '客户' })).toBeFocused();
  await page.keyboard.type('李雷');
  await expect(options(page, '客户').first()).toHaveText('新建客户“李雷”');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: '新客户姓名' })).toBeFocused();
  await expect(page.getByRole('textbox', { name: '新客户姓名' })).toHaveValue('李雷');
  await page.keyboard.press('Tab');
  await page.keyboard.type('13912345678');
  await page.keyboard.press('Tab');
  await page.keyboard.type('88');
  await expect(page.locator('.points-preview [role=status]')).toContainText('获得积分：88');
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.keyboard.press('Enter');
  await expect(page.getByText('已为 李雷 保存 ¥88.00 的销售；积分余额 88。')).toBeVisible();
  await expect(page.getByRole('table').getByRole('row').nth(1)).toContainText('李雷');
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.getByRole('link', { name: '客户', exact: true }).click();
  await expect(page.getByRole('row').filter({ hasText: '李雷' })).toContainText('13912345678');
  await context.close();
});

test('the referrer gets the referral bonus with the first purchase of the customer they referred', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Anna Li' });
  await page.getByRole('link', { name: 'New customer' }).first().click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Bo Wang');
  await page.getByLabel('Referred by').fill('Anna Li');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Bo Wang' })).toBeVisible();

  await keyboardSale(page, 'Bo Wang', '20');
  await expect(preview(page)).toContainText('Referral bonus to Anna Li: +200 points');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Sale of ¥20.00 saved for Bo Wang; points balance 20.')).toBeVisible();
  // Only the first purchase brings the bonus.
  await keyboardSale(page, 'Bo Wang', '20');
  await expect(preview(page)).toContainText('Points earned: 20');
  await expect(preview(page)).not.toContainText('Referral bonus');

  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await page.getByRole('link', { name: 'Anna Li' }).click();
  await expect(page.locator('.balance').first()).toHaveText('200 points');
  await expect(page.getByRole('list', { name: 'Timeline' })).toContainText('Points bonus +200 推荐好友 Referral bonus');
});

test('the birthday bonus comes once, with the first sale in the birthday month', async ({ page }) => {
  await openApp(page);
  const month = String(new Date().getMonth() + 1).padStart(2, '0');
  await page.getByRole('link', { name: 'New customer' }).first().click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Sun Li');
  await page.getByLabel('Birthday').fill(`1990-${month}-01`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Sun Li' })).toBeVisible();

  await keyboardSale(page, 'Sun Li', '30');
  await expect(preview(page)).toContainText('Birthday bonus: +100 points');
  await expect(preview(page)).toContainText('Balance: 0 → 130 points');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Sale of ¥30.00 saved for Sun Li; points balance 130.')).toBeVisible();
  await keyboardSale(page, 'Sun Li', '30');
  await expect(preview(page)).toContainText('Balance: 130 → 160 points');
  await expect(preview(page)).not.toContainText('Birthday bonus');
});

test('points expire after the months the programme sets, oldest first', async ({ page }) => {
  await openApp(page);
  await page.getByRole('link', { name: 'Loyalty' }).click();
  await page.getByRole('textbox', { name: 'Points expire after (months)' }).fill('1');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Loyalty programme saved.')).toBeVisible();
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await addCustomer(page, { name: 'Old Ou' });

  // A sale two months ago earned 50 points, which have expired by now.
  const d = new Date();
  d.setMonth(d.getMonth() - 2);
  const pad = (n: number) => String(n).padStart(2, '0');
  const when = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T10:00`;
  await page.goto('/#/sales/new');
  await page.getByRole('combobox', { name: 'Customer' }).fill('Old Ou');
  await page.getByRole('listbox', { name: 'Customer' }).getByRole('option', { name: 'Old Ou', exact: true }).click();
  await page.getByRole('textbox', { name: 'Amount (before points)' }).fill('50');
  await page.getByLabel('Date and time').fill(when);
  await page.getByRole('button', { name: 'Save sale' }).click();
  await expect(page.getByText('Sale of ¥50.00 saved for Old Ou; points balance 50.')).toBeVisible();

  await keyboardSale(page, 'Old Ou', '10', '1');
  await expect(page.getByText('The customer has 0 points; 1 cannot be redeemed.').first()).toBeVisible();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('0');
  await expect(preview(page)).toContainText('Expired before this sale: 50 points');
  await expect(preview(page)).toContainText('Balance: 0 → 10 points');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Sale of ¥10.00 saved for Old Ou; points balance 10.')).toBeVisible();
  await page.getByRole('link', { name: 'Old Ou' }).first().click();
  await expect(page.locator('.balance').first()).toHaveText('10 points');
  await expect(page.getByRole('list', { name: 'Timeline' })).toContainText('Points expired -50 积分过期 Points expired');
});

test('a refund takes back the points its amount earned', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Hu Bin' });
  await keyboardSale(page, 'Hu Bin', '100');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Sale of ¥100.00 saved for Hu Bin; points balance 100.')).toBeVisible();
  await keyboardSale(page, 'Hu Bin', '-30');
  await expect(preview(page)).toContainText('To pay: -¥30.00');
  await expect(preview(page)).toContainText('Taken back for the refund: 30 points');
  await expect(preview(page)).toContainText('Balance: 100 → 70 points');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Sale of -¥30.00 saved for Hu Bin; points balance 70.')).toBeVisible();
  await expect(page.getByText('2 of 2 sales shown · total ¥70.00')).toBeVisible();
});

test('a customer created with a sale gets the same checks as on the customer form', async ({ page }) => {
  await openApp(page, '#/sales/new');
  await page.getByRole('combobox', { name: 'Customer' }).fill('Ma Li');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: "New customer's name" })).toHaveValue('Ma Li');
  await page.getByRole('textbox', { name: "New customer's phone" }).fill('12ab');
  await page.getByRole('textbox', { name: 'Amount (before points)' }).fill('5');
  await page.getByRole('button', { name: 'Save sale' }).click();
  await expect(page.getByText('"12ab" is not a phone number')).toBeVisible();
  await expect(page.getByRole('textbox', { name: "New customer's phone" })).toBeFocused();
  await page.getByRole('textbox', { name: "New customer's phone" }).fill('13700001111');
  await page.getByRole('button', { name: 'Save sale' }).click();
  await expect(page.getByText('Sale of ¥5.00 saved for Ma Li; points balance 5.')).toBeVisible();
});
