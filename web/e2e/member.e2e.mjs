// The customer view, the messages at login and the pages behind mail links (issue 14's walks of
// them; admin.e2e.mjs walks the admin area):
// - a customer admin works in the customer view: the customer drop-down, a project within the
//   quota, a tenant on an offered platform opened to its console link, a service user whose secret
//   is shown once; once the partner disables the customer, its tenant access is refused with the
//   reason shown, and no new service user either;
// - a customer admin invites from the customer view; the invitation link from the mail works once,
//   for the invited address only (another address and a second use are refused in words), and
//   the invitee's token survives the sign-in redirect; a message sent from the admin area shows
//   at the invitee's login and is gone once acknowledged;
// - the registration identifier is checked as it is typed, with the cannot-be-changed warning.
// Each scenario makes its own customers and people, and sets up through the API what is not its
// subject.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api, checkScreen, choose, expectStatus, linkIn, newPage, person, portalUrl, rowAction, signIn, startBrowser, sentTo, unique,
  waitForMail,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** An ACTIVE customer of acme whose customer admin is `partner` (by "Add Myself"). */
async function customerOf(partner, prefix, extra = {}) {
  const identifier = unique(prefix);
  const displayName = `Customer ${identifier}`;
  await expectStatus(partner.token, 'POST', '/customers', { identifier, displayName, ...extra }, 201);
  const membership = await expectStatus(partner.token, 'POST', `/customers/${identifier}/users/me`, { reason: 'browser test' }, 201);
  assert.equal(membership.role, 'CUSTOMER_ADMIN', 'SELF_ASSIGN_ROLE is CUSTOMER_ADMIN in the local cloud');
  return { identifier, displayName };
}

const at = (path) => new URL(path, portalUrl).href;

test('a customer admin works in the customer view; disabled (after its modal), its tenant access is refused with the reason shown', async () => {
  const partner = await person('partner', { groups: ['partner-admins'], partnerId: 'acme', domain: 'acme.example' });
  const first = await customerOf(partner, 'work', { projectQuota: 1 });
  const second = await customerOf(partner, 'other');

  const page = await newPage(browser.context);
  await signIn(page, partner.claims, '/my');
  // /my lists the user's customers; the switcher at the top left moves between them.
  await page.getByRole('link', { name: `${second.displayName} (${second.identifier})` }).click();
  await page.getByRole('heading', { name: second.displayName, level: 1 }).waitFor();
  await checkScreen(page, 'my-customer-users', 'the users of a customer (customer view)');
  await choose(page, page.getByRole('button', { name: /^Customer/ }), new RegExp(`^${first.displayName} \\(${first.identifier}\\)`));
  await page.getByRole('heading', { name: first.displayName, level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/my/customers/${first.identifier}/users`);

  // Projects: the quota is shown, and reached, creation is off with the reason.
  await page.getByRole('link', { name: 'Projects', exact: true }).click();
  await page.getByText('(0 of 1 project)', { exact: true }).waitFor();
  await page.getByLabel('Project identifier').fill('data-lake');
  await page.getByLabel('Project name').fill('Data Lake');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByText('The project Data Lake was created.').waitFor();
  await page.getByText('(1 of 1 project)', { exact: true }).waitFor();
  const create = page.getByRole('button', { name: 'Create project' });
  await page.getByText('The project quota is reached (1 of 1 project).', { exact: false }).first().waitFor();
  assert.equal(await create.getAttribute('aria-disabled'), 'true');
  await checkScreen(page, 'my-customer-projects', 'the projects of a customer (customer view)');

  // A tenant on a platform the API offers (GET /platforms), then its console link.
  const platforms = await api(partner.token, 'GET', '/platforms');
  await page.getByRole('link', { name: 'Data Lake' }).click();
  await page.getByRole('heading', { name: 'Data Lake', level: 2 }).waitFor();
  if (platforms.status === 200) {
    const aws = platforms.body.items.find((p) => p.id === 'aws');
    assert.ok(aws, `the platforms: ${JSON.stringify(platforms.body)}`);
    await choose(page, page.getByRole('button', { name: /^Platform/ }), aws.displayName);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByText('The tenant was created.').waitFor();
  } else {
    // GET /platforms is not a route of this API yet (issue 20): the tenant is made over the API.
    await expectStatus(partner.token, 'POST', `/customers/${first.identifier}/projects/data-lake/tenants`, { platform: 'aws' }, 201);
    await page.reload();
  }
  const awsName = platforms.status === 200 ? platforms.body.items.find((p) => p.id === 'aws').displayName : 'aws';
  await page.getByRole('button', { name: `Open ${awsName} tenant` }).click();
  const consoleLink = page.getByRole('link', { name: `Go to the ${awsName} console` });
  await consoleLink.waitFor();
  assert.match(await consoleLink.getAttribute('href'), /^https:\/\//);
  await checkScreen(page, 'my-customer-project', 'a project with its tenants (customer view)');
  await page.getByRole('link', { name: 'Projects', exact: true }).first().click();
  await page.waitForURL((url) => url.pathname === `/my/customers/${first.identifier}/projects`);

  // A service user: its secret is shown this once, with a copy button and the warning; deleting asks first.
  await page.getByRole('link', { name: 'Service users', exact: true }).click();
  await page.getByLabel('Service user name').fill('ci-pipeline');
  await page.getByRole('button', { name: 'Create service user' }).click();
  const secret = page.getByRole('textbox', { name: 'Secret', exact: true });
  await secret.waitFor();
  assert.match(await secret.inputValue(), /^[A-Za-z0-9_-]{43}$/);
  await page.getByText('This secret will not be shown again.').waitFor();
  await page.getByRole('button', { name: 'Copy secret' }).waitFor();
  await checkScreen(page, 'my-customer-service-user-secret', 'a new service user and its secret');
  await page.getByRole('button', { name: 'I have stored the secret' }).click();
  await secret.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Delete ci-pipeline' }).click();
  const deleteDialog = page.getByRole('dialog');
  await deleteDialog.getByText('This cannot be undone.', { exact: false }).waitFor();
  await deleteDialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Delete ci-pipeline' }).waitFor();

  // The account settings: facts and the customer admin's forms.
  await page.getByRole('link', { name: 'Account settings', exact: true }).click();
  await page.getByRole('button', { name: 'Save display name' }).waitFor();
  await checkScreen(page, 'my-customer-account', 'the account of a customer (customer view)');

  // The partner disables the customer in the admin area, after the modal that lists its effects.
  await page.goto(at(`/admin/customers/${first.identifier}/users`));
  await page.getByRole('button', { name: `Disable ${first.identifier}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('its users can no longer access tenants through the portal;').waitFor();
  await dialog.getByText('its users can no longer create service users.').waitFor();
  await checkScreen(page, 'admin-disable-modal', 'the disable modal');
  await dialog.getByLabel('Reason', { exact: true }).fill('No valid payment method');
  await dialog.getByRole('button', { name: `Disable ${first.identifier}` }).click();
  await page.getByText(`${first.displayName} (${first.identifier}) is now disabled.`).waitFor();

  // Its tenant access is refused, and the page says why.
  await page.goto(at(`/my/customers/${first.identifier}/projects/data-lake`));
  const open = page.getByRole('button', { name: `Open ${awsName} tenant` });
  await open.waitFor();
  assert.equal(await open.getAttribute('aria-disabled'), 'true');
  await page.locator('#tenant-access-blocked').getByText(`Tenant access is closed. ${first.displayName} is disabled by its partner`, { exact: false }).waitFor();
  await checkScreen(page, 'tenant-access-disabled', 'a project of a disabled customer');
  // The API refuses it too.
  const { tenants } = await expectStatus(partner.token, 'GET', `/customers/${first.identifier}/projects/data-lake`, undefined, 200);
  const refused = await api(partner.token, 'POST', `/customers/${first.identifier}/projects/data-lake/tenants/${tenants[0].tenantId}/access`);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.type, 'customer-disabled');

  // No new service user either, said before anyone tries.
  await page.goto(at(`/my/customers/${first.identifier}/service-users`));
  const createServiceUser = page.getByRole('button', { name: 'Create service user' });
  await createServiceUser.waitFor();
  assert.equal(await createServiceUser.getAttribute('aria-disabled'), 'true');
  await page.getByText('is disabled by its partner', { exact: false }).first().waitFor();
  assert.deepEqual(page.problems, []);
});

test('an invitee accepts from the mail link (once, for the invited address only), then sees a message from the admin area at login until acknowledging it', async () => {
  const partner = await person('partner', { groups: ['partner-admins'], partnerId: 'acme', domain: 'acme.example' });
  const customer = await customerOf(partner, 'once');
  const invitee = await person('ivy', { domain: 'globex.example' });

  // The customer admin invites from the customer view.
  const admin = await newPage(browser.context);
  await signIn(admin, partner.claims, `/my/customers/${customer.identifier}/users`);
  await admin.getByRole('table', { name: `Members of ${customer.displayName}` }).waitFor();
  await admin.getByLabel('E-mail address').fill(invitee.claims.email);
  await admin.getByRole('button', { name: 'Invite', exact: true }).click();
  await admin.getByText(`An invitation was sent to ${invitee.claims.email}.`).waitFor();
  await admin.getByRole('button', { name: `Actions for the invitation of ${invitee.claims.email}` }).waitFor();
  await checkScreen(admin, 'customer-users', 'the users and invitations of a customer (customer view)');

  // Cancelling an invitation asks first: a second address, invited and then cancelled.
  const other = `other-${invitee.claims.email}`;
  await admin.getByLabel('E-mail address').fill(other);
  await admin.getByRole('button', { name: 'Invite', exact: true }).click();
  await admin.getByText(`An invitation was sent to ${other}.`).waitFor();
  await rowAction(admin, `Actions for the invitation of ${other}`, 'Cancel invitation…');
  const cancel = admin.getByRole('dialog');
  await cancel.getByText('stops working', { exact: false }).waitFor();
  await cancel.getByRole('button', { name: 'Cancel invitation' }).click();
  await admin.getByText(`The invitation of ${other} was cancelled.`).waitFor();

  const mail = await waitForMail((m) => sentTo(m, invitee.claims.email));
  const link = new URL(linkIn(mail, 'accept-invitation'));

  // Someone else signed in: refused, in words, with a way to sign in as someone else.
  const stranger = await person('stranger');
  const wrong = await newPage(browser.context);
  await signIn(wrong, stranger.claims, `${link.pathname}${link.search}`);
  await wrong.getByRole('button', { name: 'Accept invitation' }).click();
  await wrong.getByText('This invitation was sent to another e-mail address', { exact: false }).waitFor();
  await wrong.getByRole('button', { name: 'Sign out' }).first().waitFor();
  await checkScreen(wrong, 'accept-invitation-other-address', 'an invitation refused for another address');
  await wrong.close();

  // The invitee: the link, token included, survives the sign-in redirect.
  const page = await newPage(browser.context);
  await signIn(page, invitee.claims, `${link.pathname}${link.search}`);
  assert.equal(new URL(page.url()).pathname, '/accept-invitation');
  assert.equal(new URL(page.url()).search, link.search);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.getByRole('heading', { name: `Welcome to ${customer.displayName}` }).waitFor();
  await page.getByRole('link', { name: `Open ${customer.displayName}` }).click();
  await page.getByRole('heading', { name: customer.displayName, level: 1 }).waitFor();

  // The same link again: used up, said in words.
  await page.goto(link.href);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.getByText('This invitation has been accepted already.', { exact: false }).waitFor();
  await checkScreen(page, 'accept-invitation-used', 'an invitation link used twice');

  // The invitee, removed by the admin after a confirmation, is told so in words with a way out.
  const { items: members } = await expectStatus(partner.token, 'GET', `/customers/${customer.identifier}/users`, undefined, 200);
  const inviteeId = members.find((m) => m.email === invitee.claims.email).userId;
  await admin.goto(at(`/my/customers/${customer.identifier}/users`));
  await rowAction(admin, `Actions for ${invitee.claims.name}`, 'Remove…');
  const remove = admin.getByRole('dialog');
  await remove.getByText('loses access to', { exact: false }).waitFor();
  await remove.getByRole('button', { name: `Remove ${invitee.claims.name}` }).click();
  await admin.getByText(`${invitee.claims.name} was removed from ${customer.displayName}.`).waitFor();
  await page.goto(at(`/my/customers/${customer.identifier}/users`));
  await page.getByText(`You have no access to ${customer.identifier}`).waitFor();
  await page.getByRole('link', { name: 'Go to my customers' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0);
  await checkScreen(page, 'my-customer-no-access', 'a customer the user was removed from');
  // Back in through the admin: the rest of the walk needs the invitee as a member.
  const reinvite = await expectStatus(partner.token, 'POST', `/customers/${customer.identifier}/invitations`, { email: invitee.claims.email, role: 'CUSTOMER_EMPLOYEE' }, 201);
  assert.ok(reinvite.id && inviteeId);
  const again = await waitForMail((m) => sentTo(m, invitee.claims.email) && linkIn(m, 'accept-invitation') !== link.href);
  await page.goto(linkIn(again, 'accept-invitation'));
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.getByRole('heading', { name: `Welcome to ${customer.displayName}` }).waitFor();

  // The partner sends a message from the admin area.
  const text = `Maintenance of ${customer.identifier} on Saturday, 22:00 to 23:00 UTC.`;
  await admin.goto(at(`/admin/customers/${customer.identifier}/messages`));
  await admin.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await admin.getByLabel('All must read').check();
  await admin.getByRole('button', { name: 'Send message' }).click();
  await admin.getByText(text).waitFor();
  await admin.getByText(`The message was sent to the users of ${customer.identifier}.`).waitFor();
  // Delivery is asynchronous (the fan-out): wait until the invitee's inbox has it.
  for (let attempt = 0; ; attempt += 1) {
    const { items } = await expectStatus(invitee.token, 'GET', '/me/messages', undefined, 200);
    if (items.some((m) => m.text === text)) break;
    assert.ok(attempt < 60, 'the message reaches the invitee within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  // At login (`/`) the message comes first; acknowledged, the page goes on to the user's area.
  await page.goto(at('/'));
  await page.getByRole('heading', { name: 'Messages for you' }).waitFor();
  await page.getByText(text).waitFor();
  await checkScreen(page, 'messages-at-login', 'the pending messages at login');
  await page.getByRole('button', { name: 'Acknowledge message' }).click();
  await page.waitForURL((url) => url.pathname === '/my');
  // Acknowledged means gone: the next login goes straight on.
  await page.goto(at('/'));
  await page.waitForURL((url) => url.pathname.startsWith('/my'));
  assert.equal(await page.getByRole('heading', { name: 'Messages for you' }).count(), 0);
  const { items } = await expectStatus(invitee.token, 'GET', '/me/messages', undefined, 200);
  assert.deepEqual(items.filter((m) => m.text === text), []);
  assert.deepEqual(admin.problems, []);
  assert.deepEqual(page.problems, []);
});

test('the registration identifier is checked as it is typed, with the cannot-be-changed warning', async () => {
  const registrant = await person('sam', { domain: 'shop.example' });
  const page = await newPage(browser.context);
  await signIn(page, registrant.claims, '/register');
  await page.getByText('The identifier cannot be changed later: choose it carefully.', { exact: false }).waitFor();
  const field = page.getByLabel('Identifier', { exact: true });
  for (const [typed, said] of [
    ['Shop', 'Use lowercase letters only.'],
    ['shop_1', 'Use only lowercase letters, digits and hyphens (-).'],
    ['shop-', 'Start and end with a letter or a digit, not a hyphen.'],
    ['s'.repeat(33), 'An identifier has at most 32 characters (this one has 33).'],
  ]) {
    await field.fill(typed);
    await page.getByText(said).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true', typed);
  }
  await checkScreen(page, 'register-identifier-error', 'the registration form with a live identifier check');
  await field.fill('shop-1');
  assert.notEqual(await field.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(page.problems, []);
});
