import { test, expect, openApp } from './fixtures';
import { addCustomerWithBirthday, dayFromToday } from './pipeline-helpers';

/// A birthday in 1990 that falls `days` from today this year.
function birthdayIn(days: number): string {
  return '1990' + dayFromToday(days).slice(4);
}

test('a suggested birthday task is accepted, another dismissed, and both stay decided', async ({ page }) => {
  await openApp(page);
  for (const [name, days] of [['Qian Hui', 3], ['Zhou Bo', 5], ['Wu Di', 20]] as const) {
    await addCustomerWithBirthday(page, name, birthdayIn(days));
  }
  await page.getByRole('link', { name: 'Tasks' }).click();
  const suggested = page.getByRole('region', { name: /^Suggested/ });
  await expect(suggested.getByRole('listitem')).toHaveCount(2);
  await expect(suggested).toContainText('Birthday wishes to Qian Hui');
  await expect(suggested).toContainText(`Birthday on ${dayFromToday(3)}`);
  await expect(suggested).toContainText('Birthday wishes to Zhou Bo');
  // More than 7 days ahead: not yet.
  await expect(suggested).not.toContainText('Wu Di');

  await page.getByRole('button', { name: 'Accept: Birthday wishes to Qian Hui' }).click();
  await expect(page.getByText('Task added: Birthday wishes to Qian Hui')).toBeVisible();
  const upcoming = page.getByRole('region', { name: /^Upcoming/ });
  await expect(upcoming.getByRole('listitem').filter({ hasText: 'Birthday wishes to Qian Hui' })).toContainText(dayFromToday(3));
  await page.getByRole('button', { name: 'Dismiss: Birthday wishes to Zhou Bo' }).click();
  await expect(suggested.getByRole('listitem')).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole('region', { name: /^Suggested/ })).toContainText('Nothing to suggest right now.');
  await expect(page.getByRole('region', { name: /^Upcoming/ })).toContainText('Birthday wishes to Qian Hui');
  // The dismissed suggestion is not listed as a task anywhere.
  await expect(page.getByRole('main')).not.toContainText('Zhou Bo');
});

test('undo brings a suggestion back', async ({ page }) => {
  await openApp(page);
  await addCustomerWithBirthday(page, 'Lin Xi', birthdayIn(0));
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('button', { name: 'Dismiss: Birthday wishes to Lin Xi' }).click();
  await expect(page.getByRole('region', { name: /^Suggested/ }).getByRole('listitem')).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('button', { name: 'Accept: Birthday wishes to Lin Xi' })).toBeVisible();
  await page.getByRole('button', { name: 'Accept: Birthday wishes to Lin Xi' }).click();
  // Due today.
  await expect(page.getByRole('region', { name: /^Today/ })).toContainText('Birthday wishes to Lin Xi');
});

test('tasks are added, listed as today, overdue or upcoming, done and undone', async ({ page }) => {
  await openApp(page, '#/tasks');
  await page.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByText('Write what is to be done.')).toBeVisible();

  await page.getByRole('textbox', { name: 'New task' }).fill('Order new stock');
  await page.getByLabel('Due', { exact: true }).fill(dayFromToday(-2));
  await page.getByRole('button', { name: 'Add task' }).click();
  await page.getByRole('textbox', { name: 'New task' }).fill('Call the landlord');
  await page.getByLabel('Due', { exact: true }).fill(dayFromToday(0));
  await page.getByRole('button', { name: 'Add task' }).click();
  await page.getByRole('textbox', { name: 'New task' }).fill('Plan the spring sale');
  await page.getByLabel('Due', { exact: true }).fill(dayFromToday(10));
  await page.getByRole('button', { name: 'Add task' }).click();

  await expect(page.getByRole('region', { name: /^Overdue/ })).toContainText('Order new stock');
  await expect(page.getByRole('region', { name: /^Today/ })).toContainText('Call the landlord');
  await expect(page.getByRole('region', { name: /^Upcoming/ })).toContainText('Plan the spring sale');

  await page.getByRole('checkbox', { name: 'Order new stock' }).check();
  await expect(page.getByText('Done: Order new stock')).toBeVisible();
  await expect(page.getByRole('region', { name: /^Done/ })).toContainText('Order new stock');
  await expect(page.getByRole('region', { name: /^Overdue/ })).toContainText('Nothing overdue.');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('region', { name: /^Overdue/ })).toContainText('Order new stock');
  await expect(page.getByRole('region', { name: /^Done/ })).toContainText('Nothing done yet.');

  await page.getByRole('checkbox', { name: 'Call the landlord' }).check();
  await expect(page.getByText('Done: Call the landlord')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Call the landlord' })).toBeChecked();
  await expect(page.getByRole('region', { name: /^Done/ })).toContainText('Call the landlord');
});

test('a churn warning from the demo data is suggested and accepted', async ({ page }) => {
  await openApp(page, '#/data');
  await page.getByRole('radio', { name: /Small shop/ }).check();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Tasks' }).click();
  const churn = page.getByRole('region', { name: /^Suggested/ }).getByRole('listitem').filter({ hasText: 'Churn warning' }).first();
  await expect(churn).toContainText(/No purchase for \d+ days/);
  const title = (await churn.locator('.task-title').textContent()) ?? '';
  expect(title).toMatch(/^Win back .+ \(churn warning\)$/);
  await churn.getByRole('button', { name: `Accept: ${title}` }).click();
  await expect(page.getByText(`Task added: ${title}`)).toBeVisible();
  await expect(page.getByRole('region', { name: /^Today/ }).getByRole('listitem').filter({ hasText: title })).toContainText('Churn warning');
  await expect(page.getByRole('region', { name: /^Suggested/ }).getByRole('listitem').filter({ hasText: title })).toHaveCount(0);
});
