import { test, expect, openApp, addCustomer } from './fixtures';
import { openCustomerAction } from './pipeline-helpers';

test('a survey response is recorded from the customer\'s page', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Guo Jia' });
  await openCustomerAction(page, 'Guo Jia', 'Record survey');
  await expect(page.getByRole('heading', { name: 'Survey response of Guo Jia' })).toBeVisible();

  // Every question needs an answer.
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Choose an answer.')).toHaveCount(6);

  const nps = page.getByRole('group', { name: /recommend us/ });
  await nps.getByRole('radio', { name: '9' }).check();
  const dims: [RegExp, string][] = [
    [/^Reliability/, '5'], [/^Professionalism/, '4'], [/^Tangibles/, '3'], [/^Empathy/, '4'], [/^Responsiveness/, '2'],
  ];
  for (const [name, score] of dims) {
    await page.getByRole('group', { name }).getByRole('radio', { name: score, exact: true }).check();
  }
  await page.getByRole('textbox', { name: 'Comment' }).fill('Friendly staff, slow checkout');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Survey response of Guo Jia saved.')).toBeVisible();

  await page.reload();
  await openCustomerAction(page, 'Guo Jia', 'Record survey');
  const earlier = page.getByRole('region', { name: 'Earlier responses' });
  await expect(earlier).toContainText('NPS 9');
  await expect(earlier).toContainText('Reliability 5 · Professionalism 4 · Tangibles 3 · Empathy 4 · Responsiveness 2');
  await expect(earlier).toContainText('Friendly staff, slow checkout');
});

test('问卷可在简体中文中录入，并可打印中英文纸质问卷', async ({ page }) => {
  await openApp(page);
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await page.getByRole('link', { name: '新建客户' }).first().click();
  await page.getByRole('textbox', { name: '姓名', exact: true }).fill('李娜');
  await page.getByRole('button', { name: '保存' }).click();
  await page.getByRole('link', { name: '李娜', exact: true }).click();
  await page.getByRole('link', { name: '录入问卷' }).click();
  await page.getByRole('group', { name: /推荐我们/ }).getByRole('radio', { name: '10' }).check();
  for (const name of [/^可信度/, /^专业度/, /^有形度/, /^同理度/, /^反应度/]) {
    await page.getByRole('group', { name }).getByRole('radio', { name: '5', exact: true }).check();
  }
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByText('已保存 李娜 的问卷回复。')).toBeVisible();
  await page.getByRole('link', { name: '录入问卷' }).click();
  await expect(page.getByRole('region', { name: '以往回复' })).toContainText('可信度 5 · 专业度 5 · 有形度 5 · 同理度 5 · 反应度 5');

  await page.getByRole('link', { name: '打印版问卷' }).click();
  const paper = page.locator('article.paper');
  await expect(paper.getByRole('heading', { name: '顾客满意度调查表' })).toBeVisible();
  await expect(paper).toContainText('可信度：我们兑现了承诺');
  await page.getByRole('combobox', { name: '问卷语言' }).selectOption('en');
  await expect(paper.getByRole('heading', { name: 'Customer satisfaction survey' })).toBeVisible();
  await expect(paper).toContainText('Reliability (可信度): we did what we promised');
  await expect(paper).toHaveAttribute('lang', 'en');
  // On paper only the form is printed: the app's header and the controls are hidden.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.app-header')).toBeHidden();
  await expect(page.getByRole('button', { name: '打印' })).toBeHidden();
  await expect(paper).toBeVisible();
});
