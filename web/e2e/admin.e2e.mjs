// The administration area in chromium against the local cloud (run by tests/tests/browser.rs;
// helpers in ./helpers.mjs), the seed's way: Admin Area → Customers, "+ Create Customer", the
// row's actions (Users, Message, Quota, Customer Tags, History), "Add Myself" top right of the
// Users view (then off, with the reason), every tab and the tag definitions under the screen
// checks (axe, 390 px), a registration approved and another rejected — each after its modal.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, checkScreen, newPage, portalUrl, rowAction, signIn, startBrowser, tokenFor, unique } from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

const at = (path) => new URL(path, portalUrl).href;

test('a partner admin creates a customer, adds himself, and opens each of its pages from the row actions', async () => {
  const id = unique('shop');
  const admin = await newPage(browser.context);
  await signIn(admin, 'pat', '/admin/customers');
  await admin.getByRole('link', { name: 'Create Customer' }).click();
  await admin.getByLabel('Name', { exact: true }).fill(`Shop ${id}`);
  await admin.getByLabel('Identifier', { exact: true }).fill(id);
  await admin.getByText('Attention: the identifier cannot be changed later.').waitFor();
  await checkScreen(admin, 'admin-create-customer', 'Create Customer');
  await admin.getByRole('button', { name: 'Create Customer' }).click();
  await admin.getByText(`Customer Shop ${id} (${id}) was created.`).waitFor();
  assert.equal(new URL(admin.url()).pathname, `/admin/customers/${id}/users`);

  // "Add Myself" top right of the Users view: a modal says what happens, then it is off with the reason.
  await admin.getByRole('button', { name: 'Add Myself' }).click();
  const dialog = admin.getByRole('dialog');
  await dialog.getByText('Its customer admins are told by e-mail').waitFor();
  await dialog.getByLabel('Reason (optional)').fill('Setting up the first projects');
  await dialog.getByRole('button', { name: 'Add Myself' }).click();
  await admin.getByText(`You were added to ${id} as customer admin.`, { exact: false }).waitFor();
  await admin.getByText(`You are a member of ${id} already (customer admin).`).first().waitFor();
  assert.equal(await admin.getByRole('button', { name: 'Add Myself' }).getAttribute('aria-disabled'), 'true');
  await checkScreen(admin, 'admin-customer-users', "the customer's users");

  // Each of the row's actions, from the list, lands on its tab.
  const sections = [
    ['Message', 'messages', admin.getByRole('textbox', { name: 'Message', exact: true })],
    ['Quota', 'quota', admin.getByLabel('Maximum number of projects')],
    ['Customer Tags', 'tags', admin.getByRole('heading', { name: 'Customer Tags' })],
    ['History', 'history', admin.getByRole('columnheader', { name: 'What happened' })],
    ['Users', 'users', admin.getByRole('button', { name: 'Add Myself' })],
  ];
  for (const [action, section, ready] of sections) {
    await admin.goto(at(`/admin/customers?q=${id}`));
    await rowAction(admin, `Actions for ${id}`, action);
    await admin.waitForURL((url) => url.pathname === `/admin/customers/${id}/${section}`);
    await ready.waitFor();
    await checkScreen(admin, `admin-customer-${section}`, `the customer's ${section}`);
  }
  // The breadcrumb goes back to the list as it was (the search kept).
  await admin.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Customers', exact: true }).click();
  await admin.waitForURL((url) => url.pathname === '/admin/customers' && url.searchParams.get('q') === id);

  await admin.goto(at('/admin/tag-definitions'));
  await admin.getByRole('button', { name: 'Create Tag' }).waitFor();
  await checkScreen(admin, 'admin-tag-definitions', 'Tag definitions');
  assert.deepEqual(admin.problems, []);
  await admin.close();
});

async function registration(prefix) {
  const id = unique(prefix);
  const registrant = await tokenFor({ sub: unique('rita'), email: `${id}@shop.example`, name: 'Rita' });
  const registered = await api(registrant, 'POST', '/registrations', { identifier: id, displayName: `Registered ${id}` });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  assert.equal(registered.body.status, 'PENDING_APPROVAL');
  return id;
}

const olivia = () => tokenFor({ sub: 'olivia', email: 'olivia@platform.example', groups: ['platform-admins'] });

test('a registration is approved from the list, after its confirmation', async () => {
  const id = await registration('reg');
  const operator = await newPage(browser.context);
  await signIn(operator, 'olivia', `/admin/customers?status=PENDING_APPROVAL&q=${id}`);
  await rowAction(operator, `Actions for ${id}`, 'Approve…');
  const dialog = operator.getByRole('dialog');
  await dialog.getByText('the registrant gets an e-mail', { exact: false }).waitFor();
  await checkScreen(operator, 'admin-approve-modal', 'the approval modal');
  await dialog.getByRole('button', { name: `Approve ${id}` }).click();
  await operator.getByText(`Registered ${id} (${id}) was approved.`, { exact: false }).waitFor();
  const token = await olivia();
  const { body } = await api(token, 'GET', `/customers/${id}`);
  assert.equal(body.status, 'ACTIVE');
  await operator.close();
});

test('a registration is rejected with a reason, after its confirmation; its identifier is free again', async () => {
  const id = await registration('rej');
  const operator = await newPage(browser.context);
  await signIn(operator, 'olivia', `/admin/customers/${id}/users`);
  await operator.getByRole('button', { name: `Reject ${id}` }).click();
  const dialog = operator.getByRole('dialog');
  await dialog.getByText('the customer is deleted, and its identifier', { exact: false }).waitFor();
  // The reason is required: nothing is sent without one.
  const writesBefore = operator.writes.length;
  await dialog.getByRole('button', { name: `Reject ${id}` }).click();
  await dialog.getByText('Give a reason.').waitFor();
  assert.equal(operator.writes.length, writesBefore);
  await checkScreen(operator, 'admin-reject-modal', 'the rejection modal with its missing reason');
  await dialog.getByLabel('Reason', { exact: true }).fill('We could not verify the company');
  await dialog.getByRole('button', { name: `Reject ${id}` }).click();
  await operator.getByText(`The registration of Registered ${id} (${id}) was rejected.`, { exact: false }).waitFor();
  await operator.waitForURL((url) => url.pathname === '/admin/customers');
  const { status } = await api(await olivia(), 'GET', `/customers/${id}`);
  assert.equal(status, 404);
  await operator.close();
});
