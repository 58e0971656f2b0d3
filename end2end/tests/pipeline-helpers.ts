import { expect, Page } from '@playwright/test';

/// Opens one of a customer's actions ("Log contact", "New deal", "Record survey") the way a user
/// does: from the customer list to the customer's page, then the action's link there.
/// (These links are the `CustomerActions` component of src/pages/pipeline/mod.rs.)
export async function openCustomerAction(page: Page, name: string, action: 'Log contact' | 'New deal' | 'Record survey') {
  await page.getByRole('link', { name: 'Customers' }).first().click();
  await page.getByRole('row').filter({ hasText: name }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('link', { name: action }).click();
}

/// Adds a customer with a birthday through the new-customer form.
export async function addCustomerWithBirthday(page: Page, name: string, birthday: string) {
  await page.getByRole('link', { name: 'New customer' }).first().click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await page.getByLabel('Birthday').fill(birthday);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('row').filter({ hasText: name })).toBeVisible();
}

/// The local date `days` from today as YYYY-MM-DD, as a date input holds it.
export function dayFromToday(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
