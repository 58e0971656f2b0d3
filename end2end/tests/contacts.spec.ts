import { test, expect, openApp, addCustomer } from './fixtures';
import { openCustomerAction, dayFromToday } from './pipeline-helpers';

test('a contact with a follow-up date creates a follow-up task', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Huang Lei', phone: '13811112222' });
  await openCustomerAction(page, 'Huang Lei', 'Log contact');
  await expect(page.getByRole('heading', { name: 'Log a contact with Huang Lei' })).toBeVisible();

  await page.getByRole('combobox', { name: 'Channel' }).selectOption({ label: 'Instant messaging' });
  await page.getByRole('combobox', { name: 'Direction' }).selectOption({ label: 'Inbound (customer contacted us)' });
  await page.getByRole('combobox', { name: 'Purpose' }).selectOption({ label: 'Inquiry' });
  await page.getByRole('textbox', { name: 'Summary' }).fill('Asked about the autumn collection');
  await page.getByRole('textbox', { name: 'Outcome' }).fill('Sent the catalogue');
  // A follow-up before the contact is refused, naming the field.
  await page.getByLabel('Follow-up date').fill(dayFromToday(-3));
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('The follow-up date cannot be before the contact.')).toBeVisible();
  await expect(page.getByLabel('Follow-up date')).toBeFocused();
  await page.getByLabel('Follow-up date').fill(dayFromToday(2));
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Contact with Huang Lei saved, with a follow-up task.')).toBeVisible();

  // The contact is listed on the customer's contact page.
  await openCustomerAction(page, 'Huang Lei', 'Log contact');
  const recent = page.getByRole('region', { name: 'Recent contacts' });
  await expect(recent).toContainText('Asked about the autumn collection');
  await expect(recent).toContainText('Instant messaging · Inbound (customer contacted us) · Inquiry');
  await expect(recent).toContainText(`Follow up on ${dayFromToday(2)}`);

  // The task is there, due on the follow-up date, also after a reload.
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.reload();
  const upcoming = page.getByRole('region', { name: /^Upcoming/ });
  const task = upcoming.getByRole('listitem').filter({ hasText: 'Follow up with Huang Lei: Asked about the autumn collection' });
  await expect(task).toBeVisible();
  await expect(task).toContainText(dayFromToday(2));
  await expect(task).toContainText('Follow-up');
  // It is not also suggested.
  await expect(page.getByRole('region', { name: /^Suggested/ })).toContainText('Nothing to suggest right now.');
});

test('a contact without follow-up creates no task, and a summary is required', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Ma Lin' });
  await openCustomerAction(page, 'Ma Lin', 'Log contact');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Write what the contact was about.')).toBeVisible();
  await page.getByRole('textbox', { name: 'Summary' }).fill('Complained about a late delivery');
  await page.getByRole('combobox', { name: 'Purpose' }).selectOption({ label: 'Complaint' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Contact with Ma Lin saved.')).toBeVisible();
  await page.getByRole('link', { name: 'Data' }).click();
  await expect(page.locator('.counts div').filter({ hasText: 'Interactions' }).locator('dd')).toHaveText('1');
  await expect(page.locator('.counts div').filter({ hasText: 'Tasks' }).locator('dd')).toHaveText('0');
});
