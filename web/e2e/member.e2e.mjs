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
  api, expectAccessible, linkIn, newPage, portalUrl, screenshot, signIn, startBrowser, tokenFor, unique, waitForMail,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** A person of the scenario's own: claims for the sign-in page's "sign in as", and a token. */
async function person(prefix, { groups = [], partnerId, domain = 'example.org' } = {}) {
  const sub = unique(prefix);
  const claims = { sub, email: `${sub}@${domain}`, name: `${prefix} ${sub}`, groups, partnerId };
  const token = await tokenFor({ sub, email: claims.email, name: claims.name, groups, ...(partnerId ? { partner_id: partnerId } : {}) });
  return { claims, token };
}

async function expectStatus(token, method, path, body, expected) {
  const answer = await api(token, method, path, body);
  assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

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

test('a customer admin works in the customer view; disabled, its tenant access is refused with the reason shown', async () => {
  const partner = await person('partner', { groups: ['partner-admins'], partnerId: 'acme', domain: 'acme.example' });
  const first = await customerOf(partner, 'work', { projectQuota: 1 });
  const second = await customerOf(partner, 'other');

  const page = await newPage(browser.context);
  await signIn(page, partner.claims, '/my');
  // /my opens one of the user's customers; the drop-down offers both and switches between them.
  await page.waitForURL((url) => url.pathname.startsWith('/my/customers/'));
  const dropDown = page.getByRole('combobox', { name: 'Customer' });
  const openCustomer = page.getByRole('button', { name: 'Open customer' });
  await dropDown.selectOption(second.identifier);
  await openCustomer.click();
  await page.getByRole('heading', { name: second.displayName, level: 1 }).waitFor();
  await dropDown.selectOption(first.identifier);
  await openCustomer.click();
  await page.getByRole('heading', { name: first.displayName, level: 1 }).waitFor();

  // Projects: the quota is shown, and reached, creation is off with the reason beside it.
  await page.getByRole('navigation', { name: 'Customer sections' }).getByRole('link', { name: 'Projects' }).click();
  await page.getByText('0 of 1 project', { exact: true }).waitFor();
  await page.getByLabel('Project identifier').fill('data-lake');
  await page.getByLabel('Project name').fill('Data Lake');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByText('Project Data Lake was created.').waitFor();
  await page.getByText('1 of 1 project', { exact: true }).waitFor();
  const create = page.getByRole('button', { name: 'Create project' });
  assert.equal(await create.isDisabled(), true);
  await page.getByText('The project quota is reached (1 of 1 project).', { exact: false }).waitFor();
  await expectAccessible(page, 'the projects of a customer (customer view)');
  await screenshot(page, 'my-customer-projects');

  // A tenant on an offered platform, then its console link.
  await page.getByRole('link', { name: 'Data Lake' }).click();
  await page.getByRole('heading', { name: 'Data Lake', level: 2 }).waitFor();
  const platform = page.getByLabel('Platform');
  await platform.waitFor();
  const offered = await platform.locator('option').allTextContents();
  assert.ok(offered.includes('aws'), `the platforms offered: ${offered}`);
  await platform.selectOption('aws');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByText('The tenant on aws was created.').waitFor();
  await page.getByRole('button', { name: 'Open aws tenant' }).click();
  const consoleLink = page.getByRole('link', { name: 'Go to the aws console' });
  await consoleLink.waitFor();
  assert.match(await consoleLink.getAttribute('href'), /^https:\/\//);
  await expectAccessible(page, 'a project with its tenants (customer view)');
  await screenshot(page, 'my-customer-project');
  await page.getByRole('link', { name: 'Back to the projects' }).click();
  await page.waitForURL((url) => url.pathname === `/my/customers/${first.identifier}/projects`);

  // A service user: its secret is shown this once, with a copy button and the warning.
  await page.getByRole('link', { name: 'Service users', exact: true }).click();
  await page.getByLabel('Service user name').fill('ci-pipeline');
  await page.getByRole('button', { name: 'Create service user' }).click();
  const secret = page.getByRole('textbox', { name: 'Secret', exact: true });
  await secret.waitFor();
  assert.match(await secret.inputValue(), /^[A-Za-z0-9_-]{43}$/);
  await page.getByText('This secret will not be shown again.').waitFor();
  await page.getByRole('button', { name: 'Copy secret' }).waitFor();
  await expectAccessible(page, 'a new service user and its secret');
  await screenshot(page, 'my-customer-service-user-secret');
  await page.getByRole('button', { name: 'I have stored the secret' }).click();
  await secret.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Delete ci-pipeline' }).waitFor();

  // The account: facts and the customer admin's forms.
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByRole('button', { name: 'Save display name' }).waitFor();
  await expectAccessible(page, 'the account of a customer (customer view)');

  // The partner disables the customer in the admin area.
  await page.goto(at(`/admin/customers/${first.identifier}/status`));
  await page.getByLabel('Reason', { exact: true }).fill('No valid payment method');
  await page.getByRole('button', { name: `Disable ${first.identifier}` }).click();
  await page.getByText(`${first.identifier} is now disabled.`).waitFor();

  // Its tenant access is refused, and the page says why beside the button (the API keeps the
  // partner's reason in the account history only, so the page names the state).
  await page.goto(at(`/my/customers/${first.identifier}/projects/data-lake`));
  const open = page.getByRole('button', { name: 'Open aws tenant' });
  await open.waitFor();
  assert.equal(await open.isDisabled(), true);
  const blockedId = await open.getAttribute('aria-describedby');
  assert.equal(
    await page.locator(`#${blockedId}`).innerText(),
    `Tenant access is closed because ${first.displayName} is disabled by its partner. It opens again as soon as the customer is enabled.`,
  );
  await expectAccessible(page, 'a project of a disabled customer');
  await screenshot(page, 'tenant-access-disabled');
  // The API refuses it too, with the problem type the page puts in words when it meets it.
  const { tenants } = await expectStatus(partner.token, 'GET', `/customers/${first.identifier}/projects/data-lake`, undefined, 200);
  const refused = await api(partner.token, 'POST', `/customers/${first.identifier}/projects/data-lake/tenants/${tenants[0].tenantId}/access`);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.type, 'customer-disabled');

  // No new service user either, said before anyone tries.
  await page.goto(at(`/my/customers/${first.identifier}/service-users`));
  const createServiceUser = page.getByRole('button', { name: 'Create service user' });
  await createServiceUser.waitFor();
  assert.equal(await createServiceUser.isDisabled(), true);
  const reasonId = await createServiceUser.getAttribute('aria-describedby');
  assert.match(await page.locator(`#${reasonId}`).innerText(), /is disabled by its partner/);
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
  await admin.getByLabel('Role').selectOption('CUSTOMER_EMPLOYEE');
  await admin.getByRole('button', { name: 'Invite', exact: true }).click();
  await admin.getByText(`An invitation was sent to ${invitee.claims.email}.`).waitFor();
  await admin.getByRole('button', { name: `Resend invitation to ${invitee.claims.email}` }).waitFor();
  await expectAccessible(admin, 'the users and invitations of a customer (customer view)');
  await screenshot(admin, 'customer-users');

  const mail = await waitForMail((m) => JSON.stringify(m.destination?.to ?? []).includes(invitee.claims.email));
  const link = new URL(linkIn(mail, 'accept-invitation'));

  // Someone else signed in: refused, in words, with a way to sign in as someone else.
  const stranger = await person('stranger');
  const wrong = await newPage(browser.context);
  await signIn(wrong, stranger.claims, `${link.pathname}${link.search}`);
  await wrong.getByRole('button', { name: 'Accept invitation' }).click();
  await wrong.getByRole('alert').filter({ hasText: 'This invitation was sent to another e-mail address' }).waitFor();
  await wrong.getByRole('button', { name: 'Sign out' }).first().waitFor();
  await expectAccessible(wrong, 'an invitation refused for another address');
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
  await page.getByRole('alert').filter({ hasText: 'This invitation has been accepted already.' }).waitFor();
  await screenshot(page, 'accept-invitation-used');

  // The partner sends a message from the admin area.
  const text = `Maintenance of ${customer.identifier} on Saturday, 22:00 to 23:00 UTC.`;
  await admin.goto(at(`/admin/customers/${customer.identifier}/messages`));
  await admin.getByLabel('Message', { exact: true }).fill(text);
  await admin.getByLabel('All must read').check();
  await admin.getByRole('button', { name: 'Send message' }).click();
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
  await expectAccessible(page, 'the pending messages at login');
  await screenshot(page, 'messages-at-login');
  await page.getByRole('button', { name: 'Acknowledge message' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/my/customers/'));
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
  await page.getByText('The identifier cannot be changed later: choose it carefully.').waitFor();
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
  await field.fill('shop-1');
  assert.equal(await field.getAttribute('aria-invalid'), null);
  await expectAccessible(page, 'the registration form with a live identifier check');
  assert.deepEqual(page.problems, []);
});
