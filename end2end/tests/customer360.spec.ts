import { test, expect, openApp, addCustomer } from './fixtures';

test('the customer page shows facts, points, analysis with its working, and one timeline', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Zhou Min', phone: '13711112222', tags: 'VIP' });
  await page.getByRole('link', { name: 'Zhou Min' }).click();
  await expect(page.getByRole('heading', { name: 'Zhou Min', level: 1 })).toBeVisible();
  await expect(page.getByText('Nothing recorded for this customer yet.')).toBeVisible();
  await expect(page.locator('.c360 .rfm')).toContainText('No purchase yet');

  // Quick actions lead to every part of the customer's record.
  const actions = page.getByRole('navigation', { name: 'Quick actions' });
  const id = page.url().split('/').pop();
  await expect(actions.getByRole('link', { name: 'Log contact' })).toHaveAttribute('href', `#/customers/${id}/contact`);
  await expect(actions.getByRole('link', { name: 'Record survey' })).toHaveAttribute('href', `#/customers/${id}/survey`);
  await expect(actions.getByRole('link', { name: 'New deal' })).toHaveAttribute('href', `#/pipeline/new/${id}`);
  await expect(actions.getByRole('link', { name: 'Tasks' })).toHaveAttribute('href', '#/tasks');

  // A sale from here is for this customer already.
  await actions.getByRole('link', { name: 'New sale' }).click();
  await expect(page.getByRole('combobox', { name: 'Customer' })).toHaveValue('Zhou Min (13711112222)');
  await page.getByRole('textbox', { name: 'Amount (before points)' }).fill('2500');
  await page.getByRole('button', { name: 'Save sale' }).click();
  await expect(page.getByText('Sale of ¥2500.00 saved for Zhou Min; points balance 2500.')).toBeVisible();

  await page.getByRole('row').filter({ hasText: 'Zhou Min' }).getByRole('link', { name: 'Zhou Min' }).click();
  // ¥2,500 in 12 months reaches Silver.
  await expect(page.locator('.tier')).toHaveText('银卡 Silver');
  await expect(page.locator('.balance').first()).toHaveText('2500 points');
  await expect(page.locator('.c360 .rfm dd')).toContainText(/R\d F\d M\d/);
  await expect(page.locator('.c360 .lifecycle dd')).toHaveText('New');
  await expect(page.locator('.c360 .loyalty dd')).toContainText('/ 100');
  await page.locator('.c360 .rfm').getByText('How is this computed?').click();
  await expect(page.locator('.c360 .rfm .explain ol li').first()).toBeVisible();

  const timeline = page.getByRole('list', { name: 'Timeline' });
  await expect(timeline.getByRole('listitem')).toHaveCount(2);
  await expect(timeline).toContainText('Sale ¥2500.00');
  await expect(timeline).toContainText('Points earned +2500');

  // A hand adjustment needs a reason and cannot take the balance below zero.
  await page.getByText('Adjust points by hand').click();
  await page.getByRole('spinbutton', { name: /^Points/ }).fill('-3000');
  await page.getByRole('textbox', { name: 'Reason' }).fill('Wrong till');
  await page.getByRole('button', { name: 'Adjust' }).click();
  await expect(page.getByText('The points balance would fall to -500; it cannot go below zero.')).toBeVisible();
  await page.getByRole('spinbutton', { name: /^Points/ }).fill('-500');
  await page.getByRole('button', { name: 'Adjust' }).click();
  await expect(page.locator('.balance').first()).toHaveText('2000 points');
  await expect(timeline).toContainText('Points adjusted -500 Wrong till');
});

test('demo customers show a segment, a stage and a full timeline; the edit form is one link away', async ({ page }) => {
  await openApp(page);
  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 200 customers/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await page.locator('[role=row][aria-rowindex="2"]').getByRole('link').click();
  await expect(page.locator('.c360 .rfm dd')).toContainText(/R\d F\d M\d|No purchase yet/);
  await expect(page.locator('.c360 .lifecycle dd')).not.toBeEmpty();
  await expect(page.getByRole('list', { name: 'Timeline' }).getByRole('listitem').first()).toBeVisible();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Edit customer' })).toBeVisible();
});

test('简体中文: the customer page and its worked example in Chinese', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Wu Yi' });
  await page.getByRole('link', { name: 'Wu Yi' }).click();
  await page.getByRole('link', { name: 'New sale' }).last().click();
  await page.getByRole('textbox', { name: 'Amount (before points)' }).fill('18');
  await page.getByRole('button', { name: 'Save sale' }).click();
  await page.getByRole('table').getByRole('link', { name: 'Wu Yi' }).click();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByRole('heading', { name: '客户时间线' })).toBeVisible();
  await expect(page.getByText('RFM 分群')).toBeVisible();
  await expect(page.locator('.tier')).toHaveText('普通 Standard');
  await page.locator('.c360 .rfm').getByText('这是怎么算的？').click();
  await expect(page.locator('.c360 .rfm .explain')).toContainText('最近购买间隔（天）');
  await expect(page.getByRole('list', { name: '客户时间线' })).toContainText('积分获得 +18');
});
