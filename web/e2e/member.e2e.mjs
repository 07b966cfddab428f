// The customer view, the messages at login and the pages behind mail links, in chromium against
// the local cloud (run by tests/tests/browser.rs; helpers in ./helpers.mjs):
// - a customer admin invites someone from the customer view; the invitee opens the link from the
//   mail in the SES store, signs in and accepts;
// - a message sent from the admin area shows at the invitee's login and is gone once acknowledged;
// - a disabled customer's tenant cannot be opened, and the page says why;
// - a user registers a customer and is told it is being verified.
// Each scenario makes its own customers and people (fresh identifiers and user ids), and sets up
// through the API what is not its subject.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  apiUrl, expectAccessible, linkIn, newPage, portalUrl, screenshot, signIn, startBrowser, unique, waitForMail,
} from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** A token from the local issuer for these claims (the same issuer the sign-in page uses). */
async function tokenFor({ sub, email, name, groups = [], partnerId }) {
  const response = await fetch(`${apiUrl}/_local/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, email, name, groups, ...(partnerId ? { partner_id: partnerId } : {}) }),
  });
  assert.equal(response.status, 200, 'POST /_local/tokens');
  return (await response.json()).token;
}

async function call(token, method, path, body, expected) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, expected, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A partner admin of acme (a person of the scenario's own), as claims for sign-in and a token. */
async function partnerAdmin() {
  const sub = unique('partner');
  const claims = { sub, email: `${sub}@acme.example`, name: `Partner ${sub}`, groups: ['partner-admins'], partnerId: 'acme' };
  return { claims, token: await tokenFor(claims) };
}

/** An ACTIVE customer of acme whose customer admin is the partner admin (by "Add Myself"). */
async function customerAdministeredBy(partner, prefix) {
  const identifier = unique(prefix);
  const displayName = `Customer ${identifier}`;
  await call(partner.token, 'POST', '/customers', { identifier, displayName }, 201);
  const membership = await call(partner.token, 'POST', `/customers/${identifier}/users/me`, { reason: 'browser test' }, 201);
  assert.equal(membership.role, 'CUSTOMER_ADMIN', 'SELF_ASSIGN_ROLE is CUSTOMER_ADMIN in the local cloud');
  return { identifier, displayName };
}

async function until(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

test('an invitee accepts from the mail link, and sees a message from the admin area at login until acknowledging it', async () => {
  const partner = await partnerAdmin();
  const customer = await customerAdministeredBy(partner, 'invite');
  const inviteeSub = unique('jane');
  const invitee = { sub: inviteeSub, email: `${inviteeSub}@globex.example`, name: `Jane ${inviteeSub}` };

  // The customer admin invites from the customer view.
  const admin = await newPage(browser.context);
  await signIn(admin, partner.claims, `/my/customers/${customer.identifier}/users`);
  await admin.getByRole('heading', { name: customer.displayName, level: 1 }).waitFor();
  await admin.getByRole('table', { name: `Members of ${customer.displayName}` }).waitFor();
  await admin.getByLabel('E-mail address').fill(invitee.email);
  await admin.getByLabel('Role').selectOption('CUSTOMER_EMPLOYEE');
  await admin.getByRole('button', { name: 'Invite', exact: true }).click();
  await admin.getByText(`An invitation was sent to ${invitee.email}.`).waitFor();
  await admin.getByRole('button', { name: `Resend invitation to ${invitee.email}` }).waitFor();
  await expectAccessible(admin, 'the users of a customer (customer view)');
  await screenshot(admin, 'customer-users');

  // The invitee opens the mail's link: signs in first, and lands back on the link.
  const mail = await waitForMail((m) => (m.destination?.to ?? []).some((to) => to.includes(invitee.email)));
  const link = linkIn(mail, 'accept-invitation');
  const page = await newPage(browser.context);
  await signIn(page, invitee, link);
  assert.equal(new URL(page.url()).pathname, '/accept-invitation');
  assert.equal(new URL(page.url()).search, new URL(link).search, 'the token survives the sign-in redirect');
  await page.getByRole('heading', { name: 'Accept an invitation' }).waitFor();
  await expectAccessible(page, 'the accept-invitation page');
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.getByRole('heading', { name: `Welcome to ${customer.displayName}` }).waitFor();
  await page.getByText(`You joined ${customer.displayName} as customer employee.`).waitFor();
  await screenshot(page, 'invitation-accepted');

  // The same link again: refused in words.
  await page.goto(link);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.getByRole('alert').filter({ hasText: 'This invitation has been accepted already.' }).waitFor();

  // The partner sends a message from the admin area.
  const text = `Maintenance of ${customer.identifier} on Saturday, 22:00 to 23:00 UTC.`;
  await admin.goto(new URL(`/admin/customers/${customer.identifier}/messages`, portalUrl).href);
  await admin.getByLabel('Message', { exact: true }).fill(text);
  await admin.getByLabel('All must read').check();
  await admin.getByRole('button', { name: 'Send message' }).click();
  await admin.getByText(`The message was sent to the users of ${customer.identifier}.`).waitFor();

  // Delivery is asynchronous (the fan-out): wait until the invitee's inbox has it.
  const inviteeToken = await tokenFor(invitee);
  await until('the message reaches the invitee', async () =>
    (await call(inviteeToken, 'GET', '/me/messages', undefined, 200)).items.some((m) => m.text === text));

  // At login (`/`) the message comes first; acknowledged, the page goes on to the user's area.
  await page.goto(new URL('/', portalUrl).href);
  await page.getByRole('heading', { name: 'Messages for you' }).waitFor();
  await page.getByText(text).waitFor();
  await expectAccessible(page, 'the pending messages at login');
  await screenshot(page, 'messages-at-login');
  await page.getByRole('button', { name: 'Acknowledge message' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/my/customers/'));
  await page.getByRole('combobox', { name: 'Customer' }).waitFor();

  // Acknowledged means gone: the next login goes straight on.
  await page.goto(new URL('/', portalUrl).href);
  await page.waitForURL((url) => url.pathname.startsWith('/my'));
  assert.equal(await page.getByRole('heading', { name: 'Messages for you' }).count(), 0);
  assert.deepEqual((await call(inviteeToken, 'GET', '/me/messages', undefined, 200)).items.filter((m) => m.text === text), []);

  assert.deepEqual(admin.problems, []);
  assert.deepEqual(page.problems, []);
});

test("a disabled customer's tenant cannot be opened, and the page says why", async () => {
  const partner = await partnerAdmin();
  const customer = await customerAdministeredBy(partner, 'disabled');
  const project = unique('lake').slice(0, 32);
  const path = `/customers/${customer.identifier}/projects`;
  await call(partner.token, 'POST', path, { identifier: project, displayName: 'Data Lake' }, 201);
  await call(partner.token, 'POST', `${path}/${project}/tenants`, { platform: 'aws' }, 201);

  // Enabled, the member opens the tenant: the console link is given.
  const page = await newPage(browser.context);
  await signIn(page, partner.claims, `/my/customers/${customer.identifier}/projects/${project}`);
  const open = page.getByRole('button', { name: 'Open aws tenant' });
  await open.click();
  await page.getByRole('link', { name: 'Go to the aws console' }).waitFor();

  // The partner disables the customer in the admin area.
  await page.goto(new URL(`/admin/customers/${customer.identifier}/status`, portalUrl).href);
  await page.getByLabel('Reason').fill('No valid payment method');
  await page.getByRole('button', { name: `Disable ${customer.identifier}` }).click();
  await page.getByText(`${customer.identifier} is now disabled.`).waitFor();

  // The customer view: the button is disabled and the reason is said beside it.
  await page.goto(new URL(`/my/customers/${customer.identifier}/projects/${project}`, portalUrl).href);
  await open.waitFor();
  assert.equal(await open.isDisabled(), true);
  const reasonId = await open.getAttribute('aria-describedby');
  assert.equal(
    await page.locator(`#${reasonId}`).textContent(),
    `Tenant access is closed because ${customer.displayName} is disabled by its partner. It opens again as soon as the customer is enabled.`,
  );
  await expectAccessible(page, 'a project of a disabled customer');
  await screenshot(page, 'tenant-access-disabled');

  // The API refuses it too, with the problem the page would put in words.
  const tenants = (await call(partner.token, 'GET', `${path}/${project}`, undefined, 200)).tenants;
  const refused = await fetch(`${apiUrl}${path}/${project}/tenants/${tenants[0].tenantId}/access`, {
    method: 'POST', headers: { authorization: `Bearer ${partner.token}` },
  });
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).type, 'customer-disabled');

  // New service users are refused as well, said before anyone tries.
  await page.getByRole('link', { name: 'Service users' }).click();
  assert.equal(await page.getByRole('button', { name: 'Create service user' }).isDisabled(), true);
  assert.deepEqual(page.problems, []);
});

/**
 * Other scenarios share the local cloud and may have defined mandatory tags a registrant must set:
 * give each a value its type takes, so this scenario does not depend on the tag catalog.
 */
async function fillMandatoryTags(page, token) {
  const { items } = await call(token, 'GET', '/tag-definitions', undefined, 200);
  for (const tag of items.filter((t) => t.mandatory && !t.restricted)) {
    const label = `${tag.displayName} (required)`;
    switch (tag.valueType) {
      case 'BOOLEAN': await page.getByLabel(label).selectOption('true'); break;
      case 'SINGLE_SELECT': await page.getByLabel(label).selectOption(tag.options[0]); break;
      case 'MULTI_SELECT': await page.getByRole('group', { name: label }).getByLabel(tag.options[0], { exact: true }).check(); break;
      case 'INTEGER': await page.getByLabel(label).fill('1'); break;
      case 'EMAIL': await page.getByLabel(label).fill('tags@shop.example'); break;
      default:
        if (tag.pattern) throw new Error(`mandatory tag ${tag.key} has a pattern this scenario cannot satisfy`);
        await page.getByLabel(label).fill('browser test');
    }
  }
}

test('a signed-in user registers a customer and is told it is being verified', async () => {
  const sub = unique('sam');
  const identifier = unique('shop');
  const page = await newPage(browser.context);
  await signIn(page, { sub, email: `${sub}@shop.example`, name: `Sam ${sub}` }, '/register');
  await page.getByRole('heading', { name: 'Register a customer' }).waitFor();
  await page.getByText('The identifier cannot be changed later: choose it carefully.').waitFor();
  const field = page.getByLabel('Identifier');
  await field.fill('Not-Valid-');
  await page.getByText('Use lowercase letters only.').waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  await field.fill(identifier);
  assert.equal(await field.getAttribute('aria-invalid'), null);
  await page.getByLabel('Display name').fill(`Shop ${identifier}`);
  await fillMandatoryTags(page, await tokenFor({ sub, email: `${sub}@shop.example` }));
  await expectAccessible(page, 'the registration page');
  await page.getByRole('button', { name: 'Register customer' }).click();
  await page.getByRole('heading', { name: 'Your registration is being verified' }).waitFor();
  await screenshot(page, 'registration-received');
  await page.getByRole('link', { name: `Look at Shop ${identifier}` }).click();
  await page.getByText(`Shop ${identifier} is being verified`).waitFor();
  await expectAccessible(page, 'a customer pending approval (customer view)');
  assert.deepEqual(page.problems, []);
});
