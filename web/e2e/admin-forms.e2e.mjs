// The administration area's forms beyond admin.e2e.mjs: the API's field errors of Create
// Customer next to their fields, a tag definition made, used and deleted (after its modal), the
// history as sentences with the raw event a click away and its filter in the URL, a quota edit
// that lost a race (412) re-applied over the current value, and the customers list's search,
// status filter and page in the URL (deep link, Back) with Enable after its modal.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, checkScreen, choose, newPage, rowAction, signIn, startBrowser, tokenFor, unique } from './helpers.mjs';

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

/** The error text Cloudscape ties to a control (aria-describedby), or null. */
async function errorOf(locator) {
  return locator.evaluate((control) => {
    const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    const texts = ids.map((id) => document.getElementById(id)).filter((el) => el && /error/.test(el.className)).map((el) => el.textContent);
    return texts.length > 0 ? texts.join(' ') : null;
  });
}

test("the API's field errors of Create Customer sit next to their fields", async () => {
  const taken = unique('taken');
  await createOverApi(await tokenFor(patClaims), { identifier: taken, displayName: `Taken ${taken}` });
  const page = await newPage(browser.context);
  await signIn(page, 'pat', '/admin/customers/new');

  const identifier = page.getByLabel('Identifier', { exact: true });
  await identifier.fill('Not_Valid');
  assert.match(await errorOf(identifier), /lowercase letters/i);
  await identifier.fill(taken);
  assert.equal(await errorOf(identifier), null);
  await page.getByLabel('Name', { exact: true }).fill('Some name');

  // An address the page's check lets through but the API's rule refuses: its message is the API's own.
  await page.getByRole('button', { name: 'Add user' }).click();
  const email = page.getByLabel('E-mail of user 1');
  await email.fill('jane@localhost');
  await page.getByRole('button', { name: 'Create Customer' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[aria-invalid="true"]').length > 0);
  assert.ok(await errorOf(email), 'an error sits next to the e-mail of user 1');
  await checkScreen(page, 'admin-create-customer-errors', 'Create Customer with field errors');

  await email.fill('jane@shop.example');
  await page.getByRole('button', { name: 'Create Customer' }).click();
  await page.getByText('A customer with this identifier exists already.').first().waitFor();
  assert.match(await errorOf(identifier), /exists already/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a platform admin defines a tag, sets a customer's value with it, reads the history, and deletes the tag after its modal", async () => {
  const key = `cc${Date.now().toString(36)}`;
  const id = unique('tagged');
  const page = await newPage(browser.context);
  await signIn(page, 'olivia', '/admin/tag-definitions');
  await page.getByRole('button', { name: 'Create Tag' }).click();
  const form = page.getByRole('dialog');
  await form.getByLabel('Key', { exact: true }).fill(key);
  await form.getByLabel('Name', { exact: true }).fill(`Cost center ${key}`);
  await form.getByLabel('Pattern (optional)').fill('[0-9]{4}');
  await checkScreen(page, 'admin-tag-definition-form', 'the tag definition form');
  await form.getByRole('button', { name: 'Create tag', exact: true }).click();
  await page.getByText(`The tag Cost center ${key} (${key}) was created.`).waitFor();

  const olivia = await tokenFor({ sub: 'olivia', email: 'olivia@platform.example', groups: ['platform-admins'] });
  await createOverApi(olivia, { identifier: id, displayName: `Tagged ${id}` });
  await page.goto(portal(`/admin/customers/${id}/tags`));
  const input = page.getByLabel(`Cost center ${key}`);
  await input.fill('12');
  await page.getByText('Must match the pattern [0-9]{4}.').waitFor();
  await input.fill('4711');
  await page.getByRole('button', { name: 'Save tags' }).click();
  await page.getByText(`The tags of ${id} were saved.`).waitFor();
  const { body } = await api(olivia, 'GET', `/customers/${id}`);
  assert.deepEqual(body.tags[key], ['4711']);

  // The history: a sentence per entry, the raw event a click away, the type filter in the URL.
  await page.goto(portal(`/admin/customers/${id}/history`));
  await choose(page, page.getByRole('button', { name: /^Event type/ }), 'Tags edited');
  await page.waitForURL((url) => url.searchParams.get('type') === 'CUSTOMER_TAGS_EDITED');
  const sentence = page.getByText(`olivia@platform.example (platform admin) changed the tags: Cost center ${key} from nothing to 4711.`);
  for (let attempt = 0; ; attempt += 1) {
    // Written from the bus shortly after the edit: read again until it is there.
    if (await sentence.waitFor({ timeout: 1000 }).then(() => true, () => false)) break;
    assert.ok(attempt < 15, 'the tag edit appears in the history');
    await page.reload();
  }
  await page.getByRole('button', { name: 'Raw event' }).first().click();
  await page.getByText('"type": "CUSTOMER_TAGS_EDITED"').waitFor();
  // Relative time, the exact moment on hover.
  assert.match(await page.locator('time').first().getAttribute('title'), /\d{2}:\d{2}:\d{2}/);
  await checkScreen(page, 'admin-customer-history-filtered', "a customer's history, filtered, with a raw event open");

  await page.goto(portal(`/admin/tag-definitions?q=${key}`));
  await rowAction(page, `Actions for tag ${key}`, 'Delete…');
  const dialog = page.getByRole('dialog');
  await dialog.getByText('This cannot be undone.', { exact: false }).waitFor();
  await dialog.getByRole('button', { name: `Delete ${key}` }).click();
  await page.getByText(`The tag definition Cost center ${key} (${key}) was deleted.`).waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a quota saved over someone else's change shows the stored value and is applied again on request", async () => {
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
  await page.getByText('Someone else changed this in the meantime.').waitFor();
  await page.getByText('Now stored: quota 8. Your change: quota 12.', { exact: false }).waitFor();
  await checkScreen(page, 'admin-quota-412', 'a quota edit refused with 412');
  await page.getByRole('button', { name: 'Apply my change again' }).click();
  await page.getByText(`The project quota of ${id} is now 12.`).waitFor();
  const { body } = await api(token, 'GET', `/customers/${id}`);
  assert.equal(body.projectQuota, 12);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the customers list keeps its search, status and page in the URL, Back included, and enables a customer after its modal', async () => {
  const prefix = unique('find');
  const token = await tokenFor(patClaims);
  // 27 customers: more than one page of 25.
  for (let i = 0; i < 27; i += 1) await createOverApi(token, { identifier: `${prefix}-${i}`, displayName: `Findable ${prefix} ${i}` });
  const id = `${prefix}-0`;
  const disabled = await api(token, 'PUT', `/customers/${id}/status`, { status: 'DISABLED', reason: 'test' });
  assert.equal(disabled.status, 200, `PUT /customers/${id}/status: ${JSON.stringify(disabled.body)}`);

  const page = await newPage(browser.context);
  await signIn(page, 'pat', '/admin/customers');
  await page.getByLabel('Search customers').fill(prefix);
  await page.waitForURL((url) => url.searchParams.get('q') === prefix);
  // The search's own first page, not the previous list still shown while it loads (its Next
  // would page the unfiltered list).
  await page.waitForFunction((prefix) => {
    const rows = [...document.querySelectorAll('table tbody tr')];
    return rows.length === 25 && rows.every((row) => row.textContent.includes(prefix));
  }, prefix);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.waitForURL((url) => url.searchParams.getAll('after').length === 1);
  await page.getByText(`Findable ${prefix} `, { exact: false }).first().waitFor();
  const secondPage = page.url();
  // A deep link opens the same page.
  await page.goto(secondPage);
  await page.getByRole('button', { name: 'Previous page' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('q'), prefix, `the deep link ${page.url()} keeps the search`);
  await page.goBack();
  await page.waitForURL((url) => url.searchParams.getAll('after').length === 0 && url.searchParams.get('q') === prefix);

  await choose(page, page.getByRole('button', { name: /^Status/ }), 'Disabled');
  await page.waitForURL((url) => url.searchParams.get('status') === 'DISABLED');
  await page.getByText(`Findable ${prefix} 0`).waitFor();
  await checkScreen(page, 'admin-customers-filtered', 'the customers list, searched and filtered');
  await rowAction(page, `Actions for ${id}`, 'Enable…');
  const dialog = page.getByRole('dialog');
  await dialog.getByText('can open their tenants through the portal', { exact: false }).waitFor();
  await dialog.getByLabel('Reason (optional)').fill('payment method fixed');
  await dialog.getByRole('button', { name: `Enable ${id}` }).click();
  await page.getByText(`Findable ${prefix} 0 (${id}) is now active.`).waitFor();
  await page.getByText('No customer matches').waitFor();
  await checkScreen(page, 'admin-customers-empty', 'an empty search of customers');
  assert.deepEqual(page.problems, []);
  await page.close();
});
