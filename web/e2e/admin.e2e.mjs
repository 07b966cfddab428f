// The administration area in chromium against the local cloud (run by tests/tests/browser.rs;
// helpers in ./helpers.mjs): a partner admin creates a customer and adds himself, and every
// section of the customer and the tag definitions pass axe; a platform admin approves a
// registration. (The invitation, the message at login and the disabled customer's tenant are
// walked in member.e2e.mjs.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, expectAccessible, newPage, portalUrl, screenshot, signIn, startBrowser, tokenFor, unique } from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test('a partner admin creates a customer and adds himself; each section of the admin area passes axe', async () => {
  const id = unique('shop');
  const admin = await newPage(browser.context);
  await signIn(admin, 'pat', '/admin/customers/new');
  await admin.getByLabel('Name', { exact: true }).fill(`Shop ${id}`);
  await admin.getByLabel('Identifier', { exact: true }).fill(id);
  await expectAccessible(admin, 'Create Customer');
  await screenshot(admin, 'admin-create-customer');
  await admin.getByRole('button', { name: 'Create Customer' }).click();
  await admin.getByText(`(${id}) was created.`).waitFor();

  await admin.goto(new URL(`/admin/customers/${id}/users`, portalUrl).href);
  await admin.getByLabel('Reason (optional)').fill('Setting up the first projects');
  await admin.getByRole('button', { name: 'Add Myself' }).click();
  await admin.getByText(`You were added to ${id}`).waitFor();
  await expectAccessible(admin, 'Users');
  await screenshot(admin, 'admin-customer-users');

  // Each section, once it shows what it is for.
  const sections = [
    ['messages', admin.getByLabel('Message', { exact: true })],
    ['quota', admin.getByLabel('Maximum number of projects')],
    ['tags', admin.getByRole('button', { name: 'Save tags' })],
    ['history', admin.getByRole('button', { name: 'Show events' })],
    ['status', admin.getByRole('button', { name: `Disable ${id}` })],
  ];
  for (const [section, ready] of sections) {
    await admin.goto(new URL(`/admin/customers/${id}/${section}`, portalUrl).href);
    await ready.waitFor();
    await expectAccessible(admin, `the customer's ${section}`);
    await screenshot(admin, `admin-customer-${section}`);
  }
  await admin.goto(new URL('/admin/tag-definitions', portalUrl).href);
  await admin.getByRole('button', { name: '+ Create Tag' }).waitFor();
  await expectAccessible(admin, 'Tag definitions');
  await screenshot(admin, 'admin-tag-definitions');
  assert.deepEqual(admin.problems, []);
  await admin.close();
});

test('a registration is approved from the admin area', async () => {
  const id = unique('reg');
  // The registration page has its walk in member.e2e.mjs; here the registrant uses the API.
  const registrant = await tokenFor({ sub: unique('rita'), email: `${id}@shop.example`, name: 'Rita' });
  const registered = await api(registrant, 'POST', '/registrations', { identifier: id, displayName: `Registered ${id}` });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  assert.equal(registered.body.status, 'PENDING_APPROVAL');

  const operator = await newPage(browser.context);
  await signIn(operator, 'olivia', '/admin/customers?status=PENDING_APPROVAL');
  await operator.getByRole('button', { name: `Approve ${id}` }).click();
  const olivia = await tokenFor({ sub: 'olivia', email: 'olivia@platform.example', groups: ['platform-admins'] });
  for (let attempt = 0; ; attempt += 1) {
    const { body } = await api(olivia, 'GET', `/customers/${id}`);
    if (body?.status === 'ACTIVE') break;
    assert.ok(attempt < 40, `the customer stays ${body?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await expectAccessible(operator, 'the customers list after an approval');
  await screenshot(operator, 'admin-customers-approved');
  await operator.close();
});
