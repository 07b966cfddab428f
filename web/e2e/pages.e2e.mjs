// Every page of the portal, opened by its URL (as a deep link, a bookmark or Back does): it
// sends no POST, PUT, PATCH or DELETE just by being opened, and passes the screen checks (axe; no
// sideways scroll at 390×844). The walks in the other files check the screens their actions reach.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, checkScreen, newPage, openWithoutWrites, signIn, startBrowser, tokenFor, unique } from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

async function ok(token, method, path, body) {
  const answer = await api(token, method, path, body);
  assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

test('opening any page writes nothing, and each passes axe and fits 390 px', async () => {
  const pat = await tokenFor({ sub: 'pat', email: 'pat@acme.example', name: 'Pat', groups: ['partner-admins'], partner_id: 'acme' });
  const id = unique('pages');
  await ok(pat, 'POST', '/customers', { identifier: id, displayName: `Pages ${id}`, users: [{ email: `invitee-${id}@shop.example`, role: 'CUSTOMER_EMPLOYEE' }] });
  await ok(pat, 'POST', `/customers/${id}/users/me`, {});
  await ok(pat, 'POST', `/customers/${id}/projects`, { identifier: 'web', displayName: 'Web shop' });
  await ok(pat, 'POST', `/customers/${id}/projects/web/tenants`, { platform: 'aws' });
  await ok(pat, 'POST', `/customers/${id}/messages`, { text: 'Welcome to the portal.', mode: 'SINGLE_READ' });

  const page = await newPage(browser.context);
  // Pat's own message would come first at `/`: acknowledge it over the API, so each page opens as is.
  await signIn(page, 'pat', '/admin/customers');
  for (const message of (await ok(pat, 'GET', '/me/messages')).items) await ok(pat, 'POST', `/me/messages/${message.messageId}/acknowledgement`);
  const pages = [
    ['/admin/customers', page.getByRole('link', { name: 'Create Customer' })],
    [`/admin/customers?q=${id}&status=ACTIVE`, page.getByText(`Pages ${id}`)],
    ['/admin/customers/new', page.getByLabel('Identifier', { exact: true })],
    [`/admin/customers/${id}/users`, page.getByRole('button', { name: 'Add Myself' })],
    [`/admin/customers/${id}/messages`, page.getByText('Welcome to the portal.')],
    [`/admin/customers/${id}/quota`, page.getByLabel('Maximum number of projects')],
    [`/admin/customers/${id}/tags`, page.getByRole('heading', { name: 'Customer Tags' })],
    [`/admin/customers/${id}/history`, page.getByRole('columnheader', { name: 'What happened' })],
    ['/admin/tag-definitions', page.getByRole('button', { name: 'Create Tag' })],
    ['/admin/api-keys', page.getByRole('button', { name: 'Create API key' })],
    ['/my', page.getByRole('heading', { name: /^My customers/ })],
    [`/my/customers/${id}/users`, page.getByRole('table', { name: `Members of Pages ${id}` })],
    [`/my/customers/${id}/projects`, page.getByRole('link', { name: 'Web shop' })],
    [`/my/customers/${id}/projects/web`, page.getByRole('table', { name: 'Tenants of the project' })],
    [`/my/customers/${id}/service-users`, page.getByRole('button', { name: 'Create service user' })],
    [`/my/customers/${id}/api-keys`, page.getByRole('table', { name: `API keys of Pages ${id}` })],
    [`/my/customers/${id}/account`, page.getByRole('button', { name: 'Save display name' })],
    [`/my/customers/${id}/access-review`, page.getByRole('table', { name: `Members of Pages ${id} to review` })],
    ['/register', page.getByRole('button', { name: 'Register customer' })],
    [`/accept-invitation?token=${'a'.repeat(43)}`, page.getByRole('button', { name: 'Accept invitation' })],
    ['/no-such-page', page.getByText('Page not found')],
  ];
  for (const [path, ready] of pages) {
    await openWithoutWrites(page, path, ready);
    const name = `page${path.replace(/\?.*$/, '').replace(new RegExp(id, 'g'), 'customer').replace(/[^a-z0-9]+/gi, '-')}`;
    await checkScreen(page, name, path);
  }
  // The e-mail confirmation page needs no sign-in.
  const visitor = await newPage(browser.context);
  await openWithoutWrites(visitor, `/confirm-email?token=${'b'.repeat(43)}`, visitor.getByRole('button', { name: 'Confirm e-mail address' }));
  await checkScreen(visitor, 'page-confirm-email', 'the e-mail confirmation page');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(visitor.problems, []);
});
