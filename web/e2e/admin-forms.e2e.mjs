// The administration area's forms beyond admin.e2e.mjs (create → Add Myself, every section under
// axe, an approval) and member.e2e.mjs (the message at login, a disabled customer): the API's field
// errors shown next to their fields, tag definitions and typed tag values, a quota edit that lost a
// race (412), the customers table's search and status filter. Names are those of web/README
// "Admin area".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, expectAccessible, newPage, screenshot, signIn, startBrowser, tokenFor, unique } from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

const portal = (path) => new URL(path, process.env.PORTAL_URL).href;
const patClaims = { sub: 'pat', email: 'pat@acme.example', name: 'Pat', groups: ['partner-admins'], partner_id: 'acme' };

async function createOverApi(token, body) {
  const answer = await api(token, 'POST', '/customers', body);
  assert.equal(answer.status, 201, `POST /customers: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The text of the error tied to a control through aria-describedby, or null. */
async function errorOf(locator) {
  return locator.evaluate((control) => {
    const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    const error = ids.map((id) => document.getElementById(id)).find((el) => el?.classList.contains('field-error'));
    return error?.textContent ?? null;
  });
}

test('the API\'s field errors of Create Customer sit next to their fields', async () => {
  const taken = unique('taken');
  await createOverApi(await tokenFor(patClaims), { identifier: taken, displayName: `Taken ${taken}` });
  const page = await newPage(browser.context);
  await signIn(page, 'pat', '/admin/customers/new');

  const identifier = page.getByLabel('Identifier', { exact: true });
  await identifier.fill('Not_Valid');
  assert.match(await errorOf(identifier), /lowercase letters, digits or hyphens/);
  await identifier.fill(taken);
  assert.equal(await errorOf(identifier), null);
  await page.getByLabel('Name', { exact: true }).fill('Some name');

  // An address the browser lets through but the API's rule refuses: its message is the API's own.
  await page.getByRole('button', { name: 'Add user' }).click();
  const email = page.getByLabel('E-mail of user 1');
  await email.fill('jane@localhost');
  await page.getByRole('button', { name: 'Create Customer' }).click();
  await page.getByRole('alert').filter({ hasText: 'Please correct the marked fields.' }).waitFor();
  assert.ok(await errorOf(email), 'an error sits next to the e-mail of user 1');
  await expectAccessible(page, 'Create Customer with field errors');
  await screenshot(page, 'admin-create-customer-errors');

  await email.fill('jane@shop.example');
  await page.getByRole('button', { name: 'Create Customer' }).click();
  await page.getByText('A customer with this identifier exists already.').waitFor();
  assert.match(await errorOf(identifier), /exists already/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a platform admin defines a tag, and its typed input checks and saves a customer\'s value', async () => {
  const key = `cc${Date.now().toString(36)}`;
  const id = unique('tagged');
  const page = await newPage(browser.context);
  await signIn(page, 'olivia', '/admin/tag-definitions');
  await page.getByRole('button', { name: '+ Create Tag' }).click();
  await page.getByLabel('Key', { exact: true }).fill(key);
  await page.getByLabel('Name', { exact: true }).fill(`Cost center ${key}`);
  await page.getByLabel('Pattern (optional)').fill('[0-9]{4}');
  await page.getByRole('button', { name: 'Create tag', exact: true }).click();
  await page.getByText(`The tag ${key} was created.`).waitFor();
  await page.getByRole('button', { name: `Edit tag ${key}` }).waitFor();
  await expectAccessible(page, 'Tag definitions');
  await screenshot(page, 'admin-tag-definitions');

  const olivia = await tokenFor({ sub: 'olivia', email: 'olivia@platform.example', groups: ['platform-admins'] });
  await createOverApi(olivia, { identifier: id, displayName: `Tagged ${id}` });
  await page.goto(portal(`/admin/customers/${id}/tags`));
  const input = page.getByLabel(`Cost center ${key}`);
  await input.fill('12');
  await page.getByRole('button', { name: 'Save tags' }).click();
  assert.equal(await errorOf(input), 'Must match the pattern [0-9]{4}.');
  await input.fill('4711');
  await page.getByRole('button', { name: 'Save tags' }).click();
  await page.getByText(`The tags of ${id} were saved.`).waitFor();
  await expectAccessible(page, 'a customer\'s tags');
  const { body } = await api(olivia, 'GET', `/customers/${id}`);
  assert.deepEqual(body.tags[key], ['4711']);

  // The history shows the edit (written from the bus shortly after), filtered by its type.
  await page.goto(portal(`/admin/customers/${id}/history`));
  await page.getByLabel('Event type').selectOption('CUSTOMER_TAGS_EDITED');
  // Each click reloads the list, which shows "Loading" until its answer: wait for the answer, not
  // only for the click (counting the rows right after it failed on a busy machine).
  const tagEdit = page.getByRole('cell', { name: 'CUSTOMER_TAGS_EDITED' });
  for (let attempt = 0; ; attempt += 1) {
    await page.getByRole('button', { name: 'Show events' }).click();
    const shown = await tagEdit.waitFor({ timeout: 1000 }).then(() => true, () => false);
    if (shown) break;
    assert.ok(attempt < 15, 'the tag edit appears in the history');
  }
  await expectAccessible(page, 'a customer\'s history');
  await screenshot(page, 'admin-customer-history');

  await page.goto(portal('/admin/tag-definitions'));
  await page.getByRole('button', { name: `Delete tag ${key}` }).click();
  await page.getByRole('button', { name: `Yes, delete ${key}` }).click();
  await page.getByText(`The tag ${key} was deleted.`, { exact: false }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a quota saved over someone else\'s change is refused with a reload offered', async () => {
  const id = unique('quota');
  const token = await tokenFor(patClaims);
  await createOverApi(token, { identifier: id, displayName: `Quota ${id}`, projectQuota: 5 });
  const page = await newPage(browser.context);
  await signIn(page, 'pat', `/admin/customers/${id}/quota`);
  const quota = page.getByLabel('Maximum number of projects');
  await quota.waitFor();

  // Someone else changes the quota after this page read it.
  const other = await api(token, 'PUT', `/customers/${id}/quota`, { projectQuota: 8 });
  assert.equal(other.status, 200);

  await quota.fill('12');
  await page.getByRole('button', { name: 'Save quota' }).click();
  await page.getByText('Someone else changed this in the meantime').waitFor();
  await expectAccessible(page, 'a quota edit refused with 412');
  await page.getByRole('button', { name: 'Reload' }).click();
  await page.getByLabel('Maximum number of projects').waitFor();
  assert.equal(await page.getByLabel('Maximum number of projects').inputValue(), '8');
  await page.getByLabel('Maximum number of projects').fill('12');
  await page.getByRole('button', { name: 'Save quota' }).click();
  await page.getByText(`The project quota of ${id} is now 12.`).waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the customers table finds a customer by search and status, and enables it again', async () => {
  const id = unique('find');
  const token = await tokenFor(patClaims);
  await createOverApi(token, { identifier: id, displayName: `Findable ${id}` });
  const disabled = await api(token, 'PUT', `/customers/${id}/status`, { status: 'DISABLED', reason: 'test' });
  assert.equal(disabled.status, 200);

  const page = await newPage(browser.context);
  await signIn(page, 'pat', '/admin/customers');
  await page.getByLabel('Search customers').fill(id);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByLabel('Status', { exact: true }).selectOption('DISABLED');
  await page.getByRole('link', { name: `Enable ${id}` }).click();
  await page.getByLabel('Reason', { exact: true }).fill('payment method fixed');
  await page.getByRole('button', { name: `Enable ${id}` }).click();
  await page.getByText(`${id} is now active.`).waitFor();

  await page.goto(portal(`/admin/customers?q=${id}&status=DISABLED`));
  await page.getByText('No customer matches this search.').waitFor();
  await expectAccessible(page, 'an empty search of customers');
  assert.deepEqual(page.problems, []);
  await page.close();
});
