import { test, expect, openApp, addCustomer } from './fixtures';
import type { Page } from '@playwright/test';
import { openCustomerAction } from './pipeline-helpers';

const STAGES = ['Prospecting', 'Qualifying', 'Approaching', 'Negotiating', 'Handling objections', 'Won', 'After-sales'];

/// Adds a deal through the form, as a user does.
async function addDeal(page: Page, customer: string, title: string, value: string) {
  await page.getByRole('link', { name: 'Pipeline' }).click();
  await page.getByRole('link', { name: 'New deal' }).click();
  await page.getByRole('combobox', { name: 'Customer' }).fill(customer);
  await page.getByRole('textbox', { name: 'Title' }).fill(title);
  await page.getByRole('textbox', { name: 'Value' }).fill(value);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Development pipeline' })).toBeVisible();
}

test('a deal moves across every stage by keyboard and its history is shown', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Liu Yang' });
  await addDeal(page, 'Liu Yang', 'Annual contract', '12000');
  const prospecting = page.getByRole('region', { name: 'Prospecting' });
  await expect(prospecting.getByRole('link', { name: 'Annual contract' })).toBeVisible();
  await expect(prospecting).toContainText('Deals: 1 · CNY 12,000.00');

  // Keyboard only: focus the first "move to next stage" button, then Enter at each stage; focus
  // follows the card into its new column.
  await page.getByRole('button', { name: 'Move Annual contract to Qualifying' }).focus();
  for (let i = 1; i < STAGES.length; i++) {
    const button = page.getByRole('button', { name: `Move Annual contract to ${STAGES[i]}` });
    await expect(button).toBeFocused();
    await page.keyboard.press('Enter');
    const column = page.getByRole('region', { name: STAGES[i], exact: true });
    await expect(column.getByRole('link', { name: 'Annual contract' })).toBeVisible();
    await expect(column).toContainText('Deals: 1 · CNY 12,000.00');
    await expect(page.getByRole('region', { name: STAGES[i - 1], exact: true })).toContainText('Deals: 0');
  }
  // After-sales is the last stage: no further move.
  await expect(page.getByRole('button', { name: /Move Annual contract to/ })).toHaveCount(0);
  // Every step converted.
  const conversions = page.getByRole('table');
  await expect(conversions.getByRole('row', { name: /^Prospecting → Qualifying/ })).toContainText('100 %');
  await expect(conversions.getByRole('row', { name: /^Won → After-sales/ })).toContainText('100 %');

  await page.getByRole('link', { name: 'Annual contract' }).click();
  await expect(page.getByRole('heading', { name: 'Annual contract' })).toBeVisible();
  const history = page.getByRole('region', { name: 'Stage history' }).getByRole('listitem');
  await expect(history).toHaveCount(7);
  await expect(history.nth(0)).toContainText('Created in Prospecting');
  for (let i = 1; i < STAGES.length; i++) {
    await expect(history.nth(i)).toContainText(`${STAGES[i - 1]} → ${STAGES[i]}`);
  }
  // The history is stored: still there after a reload.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Stage history' }).getByRole('listitem')).toHaveCount(7);
});

test('on the deal page: move back, objections, lost and reopened, and a won deal creates its sale', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Zhao Min' });
  await addDeal(page, 'Zhao Min', 'Shop fit-out', '5000.50');
  await page.getByRole('link', { name: 'Shop fit-out' }).click();

  await page.getByRole('button', { name: 'Move to next stage: Qualifying' }).click();
  await expect(page.getByRole('button', { name: 'Move to next stage: Approaching' })).toBeFocused();
  await page.getByRole('button', { name: 'Move back to Prospecting' }).click();
  await expect(page.getByRole('combobox', { name: 'Stage', exact: true })).toHaveValue('prospecting');
  // The stage select moves straight to any stage.
  await page.getByRole('combobox', { name: 'Stage', exact: true }).selectOption('handling_objections');
  await expect(page.locator('.current-stage')).toHaveText('Handling objections');

  // Objections: an empty one is refused with a message; text is kept as text, never markup.
  await page.getByRole('button', { name: 'Add objection' }).click();
  await expect(page.getByText('Write the objection first.')).toBeVisible();
  await page.getByRole('textbox', { name: 'New objection' }).fill('Price too high <b>really</b>');
  await page.getByRole('button', { name: 'Add objection' }).click();
  await expect(page.getByRole('region', { name: 'Objections' })).toContainText('Price too high <b>really</b>');

  await page.getByRole('button', { name: 'Mark lost' }).click();
  await expect(page.locator('.current-stage')).toHaveText('Lost');
  await page.getByRole('button', { name: 'Reopen in Handling objections' }).click();
  await expect(page.locator('.current-stage')).toHaveText('Handling objections');

  await page.getByRole('button', { name: 'Move to next stage: Won' }).click();
  await page.getByRole('button', { name: 'Create the sale' }).click();
  await expect(page.getByText(/Sale recorded on .*: CNY 5,000\.50\./)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create the sale' })).toHaveCount(0);
  const history = page.getByRole('region', { name: 'Stage history' }).getByRole('listitem');
  await expect(history).toHaveCount(7);
  await expect(history.nth(4)).toContainText('Handling objections → Lost');
  await expect(history.nth(5)).toContainText('Lost → Handling objections');

  // The sale is an order of the customer.
  await page.getByRole('link', { name: 'Data' }).click();
  await expect(page.locator('.counts div').filter({ hasText: 'Orders' }).locator('dd')).toHaveText('1');
  // …and earned its points like any sale (one ledger entry: points earned).
  await expect(page.locator('.counts div').filter({ hasText: 'Points ledger entries' }).locator('dd')).toHaveText('1');
  // The objection survived a reload.
  await page.goBack();
  await page.reload();
  await expect(page.getByRole('region', { name: 'Objections' })).toContainText('Price too high');
});

test('a deal moves by drag and drop', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Sun Li' });
  await addDeal(page, 'Sun Li', 'Uniforms', '800');
  const card = page.getByRole('region', { name: 'Prospecting' }).getByRole('listitem');
  await card.dragTo(page.getByRole('region', { name: 'Negotiating' }));
  await expect(page.getByRole('region', { name: 'Negotiating' }).getByRole('link', { name: 'Uniforms' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Prospecting' })).toContainText('Deals: 0');
  // Marked lost from the board by keyboard: focus follows the card into the Lost column.
  await page.getByRole('button', { name: 'Mark Uniforms lost' }).focus();
  await page.keyboard.press('Enter');
  const lost = page.getByRole('region', { name: 'Lost' });
  await expect(lost.getByRole('listitem')).toBeFocused();
  await expect(lost.getByRole('button', { name: 'Reopen Uniforms in Negotiating' })).toBeVisible();
  await page.getByRole('link', { name: 'Uniforms' }).click();
  await expect(page.getByRole('region', { name: 'Stage history' })).toContainText('Prospecting → Negotiating');
  await expect(page.getByRole('region', { name: 'Stage history' })).toContainText('Negotiating → Lost');
});

test('the new deal form names what is wrong', async ({ page }) => {
  await openApp(page, '#/pipeline/new');
  await page.getByRole('textbox', { name: 'Value' }).fill('12,5x');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Pick a customer from the list')).toBeVisible();
  await expect(page.getByText('Give the deal a title.')).toBeVisible();
  await expect(page.getByText('Enter the value as a number')).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Customer' })).toBeFocused();
  await page.getByRole('link', { name: 'Back to the pipeline' }).click();
  await expect(page.getByText('No deals yet.')).toBeVisible();
});

test('在简体中文界面中用键盘推进商机', async ({ page }) => {
  await openApp(page);
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('link', { name: '新建客户' }).first().click();
  await page.getByRole('textbox', { name: '姓名', exact: true }).fill('王芳');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('link', { name: '开发流程' }).click();
  await page.getByRole('link', { name: '新建商机' }).click();
  await page.getByRole('combobox', { name: '客户' }).fill('王芳');
  await page.getByRole('textbox', { name: '名称' }).fill('年度合同');
  await page.getByRole('textbox', { name: '金额' }).fill('8800');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('heading', { name: '客户开发流程' })).toBeVisible();
  await page.getByRole('button', { name: '将 年度合同 推进到识别客户' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: '识别客户' }).getByRole('link', { name: '年度合同' })).toBeVisible();
  await expect(page.getByRole('button', { name: '将 年度合同 推进到接近客户' })).toBeFocused();
  await page.getByRole('link', { name: '年度合同' }).click();
  await expect(page.getByRole('region', { name: '阶段历史' })).toContainText('寻找客户 → 识别客户');
});

test('a deal started from the customer\'s page is for that customer; it is edited, deleted and restored', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Tang Yi', phone: '13512345678' });
  await openCustomerAction(page, 'Tang Yi', 'New deal');
  await expect(page.getByRole('combobox', { name: 'Customer' })).toHaveValue('Tang Yi (13512345678)');
  await page.getByRole('textbox', { name: 'Title' }).fill('Coffee machine');
  await page.getByRole('textbox', { name: 'Value' }).fill('3000');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('link', { name: 'Coffee machine' }).click();
  await expect(page.getByRole('link', { name: 'Tang Yi' })).toBeVisible();

  const details = page.getByRole('region', { name: 'Details' });
  await details.getByRole('textbox', { name: 'Value' }).fill('-5');
  await details.getByRole('button', { name: 'Save details' }).click();
  await expect(page.getByText('The value cannot be negative.')).toBeVisible();
  await details.getByRole('textbox', { name: 'Title' }).fill('Espresso machine');
  await details.getByRole('textbox', { name: 'Value' }).fill('3500');
  await details.getByRole('button', { name: 'Save details' }).click();
  await expect(page.getByRole('heading', { name: 'Espresso machine' })).toBeVisible();

  await page.getByRole('button', { name: 'Delete deal' }).click();
  await expect(page.getByText('Deal “Espresso machine” deleted.')).toBeVisible();
  await expect(page.getByText('No deals yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  const prospecting = page.getByRole('region', { name: 'Prospecting' });
  await expect(prospecting.getByRole('link', { name: 'Espresso machine' })).toBeVisible();
  await expect(prospecting).toContainText('Deals: 1 · CNY 3,500.00');
});
