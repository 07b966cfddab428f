// The walks of issue 14 through the page, each as a person does it: sign in on the local sign-in
// page, click by role and accessible name (web/README), read mails from the SES emulator. axe runs
// on every page a walk reaches; screenshots of the main pages go to web/screenshots/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  expectAccessible,
  linkIn,
  newPage,
  screenshot,
  signIn,
  startBrowser,
  tokenFor,
  unique,
  waitForMail,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

const pat = { sub: 'pat', email: 'pat@acme.example', name: 'Pat', groups: ['partner-admins'], partner_id: 'acme' };

test('a partner admin creates a customer, adds himself, invites a user who accepts, and messages them', async () => {
  const id = unique('shop');
  const invitee = `${id}@invitee.example`;
  const admin = await newPage(browser.context);
  await signIn(admin, 'pat', '/admin/customers/new');
  await admin.getByLabel('Name', { exact: true }).fill(`Shop ${id}`);
  await admin.getByLabel('Identifier', { exact: true }).fill(id);
  await expectAccessible(admin, 'Create Customer');
  await screenshot(admin, 'admin-create-customer');
  await admin.getByRole('button', { name: 'Create Customer' }).click();
  await admin.getByText(`(${id}) was created.`).waitFor();

  await admin.goto(new URL(`/admin/customers/${id}/users`, process.env.PORTAL_URL).href);
  await admin.getByLabel('Reason (optional)').fill('Setting up the first projects');
  await admin.getByRole('button', { name: 'Add Myself' }).click();
  await admin.getByText(`You were added to ${id}`).waitFor();
  await expectAccessible(admin, 'a customer\'s users in the admin area');
  await screenshot(admin, 'admin-customer-users');

  // A customer admin now, pat invites from the customer view.
  await admin.goto(new URL(`/my/customers/${id}/users`, process.env.PORTAL_URL).href);
  await admin.getByLabel('E-mail address').fill(invitee);
  await admin.getByRole('button', { name: 'Invite', exact: true }).click();
  await admin.getByText(`An invitation was sent to ${invitee}.`).waitFor();
  await expectAccessible(admin, 'the customer view\'s users');
  await screenshot(admin, 'my-customer-users');

  const mail = await waitForMail((m) => JSON.stringify(m.destination?.to ?? []).includes(invitee));
  const link = new URL(linkIn(mail, 'accept-invitation'));
  const guest = await newPage(browser.context);
  const inviteeClaims = { sub: unique('invitee'), email: invitee, name: 'Ivy' };
  await signIn(guest, inviteeClaims, `${link.pathname}${link.search}`);
  await guest.getByRole('heading', { name: 'Accept an invitation' }).waitFor();
  await expectAccessible(guest, 'Accept an invitation');
  await guest.getByRole('button', { name: 'Accept invitation' }).click();
  await guest.getByRole('heading', { name: `Welcome to Shop ${id}` }).waitFor();
  await screenshot(guest, 'accept-invitation');
  await guest.close();

  await admin.goto(new URL(`/admin/customers/${id}/messages`, process.env.PORTAL_URL).href);
  const text = `Maintenance of ${id} on Saturday`;
  await admin.getByLabel('Message', { exact: true }).fill(text);
  await admin.getByRole('button', { name: 'Send message' }).click();
  await admin.getByText(`The message was sent to the users of ${id}.`).waitFor();
  await expectAccessible(admin, 'a customer\'s messages in the admin area');
  await admin.close();

  // The fan-out delivers it to every member's inbox within a second or two.
  const member = await newPage(browser.context);
  await signIn(member, inviteeClaims, '/');
  await member.getByRole('heading', { name: 'Messages for you' }).waitFor();
  await member.getByText(text).waitFor();
  await expectAccessible(member, 'Messages for you');
  await screenshot(member, 'messages-at-login');
  await member.getByRole('button', { name: 'Acknowledge message' }).click();
  await member.getByText(text).waitFor({ state: 'detached' });
  assert.deepEqual(member.problems, []);
  await member.close();
});

test('a registration is approved from the admin area', async () => {
  const id = unique('reg');
  const registrant = await newPage(browser.context);
  await signIn(registrant, { sub: unique('reg'), email: `${id}@shop.example`, name: 'Rita' }, '/register');
  await registrant.getByLabel('Identifier', { exact: true }).fill(id);
  await registrant.getByLabel('Display name').fill(`Registered ${id}`);
  await expectAccessible(registrant, 'Register a customer');
  await screenshot(registrant, 'register');
  await registrant.getByRole('button', { name: 'Register customer' }).click();
  await registrant.getByRole('heading', { name: 'Your registration is being verified' }).waitFor();
  await registrant.close();

  const operator = await newPage(browser.context);
  await signIn(operator, 'olivia', `/admin/customers/${id}/status`);
  await operator.getByRole('button', { name: `Approve ${id}` }).click();
  const olivia = await tokenFor({ sub: 'olivia', email: 'olivia@platform.example', groups: ['platform-admins'] });
  for (let attempt = 0; ; attempt += 1) {
    const { body } = await api(olivia, 'GET', `/customers/${id}`);
    if (body?.status === 'ACTIVE') break;
    assert.ok(attempt < 20, `the customer stays ${body?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await expectAccessible(operator, 'a customer\'s status in the admin area');
  await operator.close();
});

test('a disabled customer\'s tenant access is refused with the reason shown', async () => {
  const id = unique('off');
  const token = await tokenFor(pat);
  const setUp = async (method, path, body, expected) => {
    const answer = await api(token, method, path, body);
    assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  await setUp('POST', '/customers', { identifier: id, displayName: `Off ${id}` }, 201);
  await setUp('POST', `/customers/${id}/users/me`, {}, 201);
  await setUp('POST', `/customers/${id}/projects`, { identifier: 'web', displayName: 'Web' }, 201);
  await setUp('POST', `/customers/${id}/projects/web/tenants`, { platform: 'aws' }, 201);

  const admin = await newPage(browser.context);
  await signIn(admin, 'pat', `/admin/customers/${id}/status`);
  await admin.getByLabel('Reason', { exact: true }).fill('unpaid invoice');
  await admin.getByRole('button', { name: `Disable ${id}` }).click();
  await admin.getByText(`${id} is now disabled.`).waitFor();

  await admin.goto(new URL(`/my/customers/${id}/projects/web`, process.env.PORTAL_URL).href);
  const open = admin.getByRole('button', { name: 'Open aws tenant' });
  await open.waitFor();
  assert.equal(await open.isDisabled(), true);
  // Why the button is off sits beside it. (The API keeps the partner's reason in the account
  // history only, so the page names the state, not the words typed when disabling.)
  assert.match(await admin.locator('#tenant-access-blocked').innerText(), /closed because .* is disabled by its partner/);
  await expectAccessible(admin, 'a project of a disabled customer');
  await screenshot(admin, 'tenant-access-disabled');
  await admin.close();
});
