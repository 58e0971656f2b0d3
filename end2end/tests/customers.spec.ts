import { test, expect, openApp, addCustomer } from './fixtures';

test('a new customer is saved and still there after a reload', async ({ page }) => {
  await openApp(page);
  await expect(page.getByText('No customers yet')).toBeVisible();
  await addCustomer(page, { name: '王芳', phone: '138 0013 8000', email: 'wang@example.cn', company: '小王咖啡', tags: 'VIP, 学生' });
  await expect(page.getByText('王芳 saved.')).toBeVisible();
  await page.reload();
  const row = page.getByRole('row').filter({ hasText: '王芳' });
  await expect(row).toContainText('138 0013 8000');
  await expect(row).toContainText('wang@example.cn');
  await expect(row).toContainText('VIP, 学生');
});

test('the form says what is wrong, in the user\'s language', async ({ page }) => {
  await openApp(page, '#/customers/new');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Name is required.')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toBeFocused();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Li Lei');
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('12ab');
  await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill('li@lei');
  await expect(page.getByText('"12ab" is not a phone number')).toBeVisible();
  await expect(page.getByText('"li@lei" is not an e-mail address')).toBeVisible();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByText('“12ab”不是有效的电话号码')).toBeVisible();
  await expect(page.getByText('“li@lei”不是有效的邮箱地址')).toBeVisible();
  // Nothing was stored.
  await page.getByRole('link', { name: '返回客户列表' }).click();
  await expect(page.getByText('还没有客户')).toBeVisible();
});

test('a second customer with the same phone or e-mail gets a warning', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Zhang Wei', phone: '+86 139 0000 1111', email: 'zw@example.com' });
  await page.getByRole('link', { name: 'New customer' }).click();
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('13900001111');
  await expect(page.getByText('Zhang Wei already has this phone number.')).toBeVisible();
  await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill('ZW@example.com');
  await expect(page.getByText('Zhang Wei already has this e-mail address.')).toBeVisible();
});

test('editing changes the customer and keeps the rest', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Chen Jing', phone: '13700002222' });
  await page.getByRole('link', { name: 'Chen Jing' }).click();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Edit customer' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Company', exact: true }).fill('Jing Studio');
  await page.getByLabel('Birthday').fill('1991-04-05');
  await page.getByRole('button', { name: 'Add custom field' }).click();
  await page.getByRole('textbox', { name: 'Field name' }).fill('Shoe size');
  await page.getByRole('combobox', { name: 'Field type' }).selectOption('number');
  await page.getByRole('textbox', { name: 'Value' }).fill('38');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Chen Jing' })).toContainText('Jing Studio');
  await page.reload();
  await page.getByRole('link', { name: 'Chen Jing' }).click();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Phone', exact: true })).toHaveValue('13700002222');
  await expect(page.getByLabel('Birthday')).toHaveValue('1991-04-05');
  await expect(page.getByRole('textbox', { name: 'Field name' })).toHaveValue('Shoe size');
  await expect(page.getByRole('textbox', { name: 'Value' })).toHaveValue('38');
});

test('delete shows Undo, and Undo restores the customer exactly', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Zhao Lei', phone: '13600003333', email: 'zl@example.com', tags: 'VIP' });
  await page.getByRole('link', { name: 'Zhao Lei' }).click();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  // Read the edit form only once it shows this customer (the 360 page has its own small form).
  await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('Zhao Lei');
  const before = await page.locator('form').evaluate((f) =>
    [...f.querySelectorAll('input, textarea, select')].map((e: any) => e.type === 'checkbox' ? e.checked : e.value));
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Zhao Lei deleted.')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Zhao Lei' })).toHaveCount(0);
  // The undo is still offered after ten seconds.
  await page.waitForTimeout(10_500);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText('Zhao Lei restored.')).toBeVisible();
  await page.reload();
  await page.getByRole('link', { name: 'Zhao Lei' }).click();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('Zhao Lei');
  const after = await page.locator('form').evaluate((f) =>
    [...f.querySelectorAll('input, textarea, select')].map((e: any) => e.type === 'checkbox' ? e.checked : e.value));
  expect(after).toEqual(before);
});

test('search as you type, filter by tag and archived state, sort by a column', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Anna Li', phone: '13511112222', tags: 'VIP' });
  await addCustomer(page, { name: 'Bo Wang', email: 'bo@shop.cn', company: 'Blue Tea', tags: '学生' });
  await addCustomer(page, { name: 'Cai Xin', phone: '13533334444', tags: 'VIP, 学生' });
  const rows = page.getByRole('rowgroup').last().getByRole('row');
  // Rows are placed by position; the first shown is the one with aria-rowindex 2 (1 is the header).
  const firstRow = page.locator('[role=row][aria-rowindex="2"]');
  await expect(rows).toHaveCount(3);

  const search = page.getByRole('searchbox', { name: 'Search customers' });
  await search.fill('blue');
  await expect(rows).toHaveCount(1);
  await expect(firstRow).toContainText('Bo Wang');
  await search.fill('1353333');
  await expect(rows).toHaveCount(1);
  await expect(firstRow).toContainText('Cai Xin');
  await search.fill('学生');
  await expect(rows).toHaveCount(2);
  await search.fill('');

  await page.getByRole('combobox', { name: 'Tag' }).selectOption('VIP');
  await expect(rows).toHaveCount(2);
  await page.getByRole('combobox', { name: 'Tag' }).selectOption('');

  await page.getByRole('button', { name: 'Name' }).click();
  await expect(page.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'descending');
  await expect(firstRow).toContainText('Cai Xin');

  // Archive one: it leaves the active list and appears under archived.
  await page.getByRole('link', { name: 'Bo Wang' }).click();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('button', { name: 'Archive' }).click();
  await expect(rows).toHaveCount(2);
  await page.getByRole('combobox', { name: 'Archived state' }).selectOption('archived');
  await expect(rows).toHaveCount(1);
  await expect(firstRow).toContainText('Bo Wang');
  await expect(firstRow).toContainText('Archived');
});

test('keyboard alone: add a customer without the mouse', async ({ page }) => {
  await openApp(page);
  // Tab from the top of the page to "New customer".
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => document.activeElement?.textContent?.trim());
    if (name === 'New customer') break;
  }
  await expect(page.locator(':focus')).toHaveText('New customer');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'New customer' })).toBeVisible();
  // Focus lands on the first field of the new page.
  await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toBeFocused();
  await page.keyboard.type('Keyboard Kate');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('row').filter({ hasText: 'Keyboard Kate' })).toBeVisible();
  // Back on the list, Tab reaches the rows' links, and Enter opens one.
  await expect(page.getByRole('main')).toBeFocused();
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    if (await page.getByRole('link', { name: 'Keyboard Kate' }).evaluate((e) => e === document.activeElement)) break;
  }
  await page.keyboard.press('Enter');
  // The customer's page opens; its Edit link opens the form.
  await expect(page.getByRole('heading', { name: 'Keyboard Kate', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Edit', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Edit customer' })).toBeVisible();
});
