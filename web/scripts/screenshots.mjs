// The README's screenshots (`make screenshots`): the main screens of the portal at 1366 and
// 390 px, into docs/screenshots/<screen>.png and <screen>-390.png, against a running local cloud
// (`make dev`; PORTAL_URL, API_URL, SES_URL as for the browser suite, the defaults being its
// ports). Sets its scene up over the API first: a few customers of acme with history, tags,
// projects, a tenant and a service user, Pat (acme's partner admin) a member of one. Running it
// again reuses what is there (a 409 for what exists is fine).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.PORTAL_URL ??= 'http://127.0.0.1:5173';
process.env.API_URL ??= 'http://127.0.0.1:3000';
process.env.SES_URL ??= 'http://127.0.0.1:8005';
const { api, newPage, portalUrl, signIn, startBrowser, tokenFor } = await import('../e2e/helpers.mjs');

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

async function expect(token, method, path, body, ...ok) {
  const answer = await api(token, method, path, body);
  if (![...ok, 409].includes(answer.status)) {
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer;
}

async function scene() {
  const pat = await tokenFor({ sub: 'pat', email: 'pat@acme.example', name: 'Pat', groups: ['partner-admins'], partner_id: 'acme' });
  const olivia = await tokenFor({ sub: 'olivia', email: 'olivia@platform.example', name: 'Olivia', groups: ['platform-admins'] });
  await expect(olivia, 'POST', '/tag-definitions', { key: 'cost-center', displayName: 'Cost center', description: 'Where the invoices go', valueType: 'STRING', pattern: '^CC-[0-9]{4}$' }, 201);
  await expect(olivia, 'POST', '/tag-definitions', { key: 'environment', displayName: 'Environment', valueType: 'MULTI_SELECT', options: ['dev', 'test', 'prod'] }, 201);
  await expect(olivia, 'POST', '/tag-definitions', { key: 'billing-contact', displayName: 'Billing contact', valueType: 'EMAIL', restricted: true }, 201);
  const customers = [
    ['northwind', 'Northwind Traders'], ['contoso-retail', 'Contoso Retail'], ['fabrikam', 'Fabrikam Inc.'],
    ['tailspin-toys', 'Tailspin Toys'], ['wide-world', 'Wide World Importers'], ['adventure-works', 'Adventure Works Cycles'],
    ['litware', 'Litware Labs'], ['proseware', 'Proseware Analytics'],
  ];
  for (const [identifier, displayName] of customers) {
    await expect(pat, 'POST', '/customers', { identifier, displayName, projectQuota: 5 }, 201);
  }
  // Northwind: Pat joins it, two projects, a tenant, a service user, tags, a quota change, a message.
  await expect(pat, 'POST', '/customers/northwind/users/me', { reason: 'Onboarding the customer' }, 201);
  await expect(pat, 'POST', '/customers/northwind/projects', { identifier: 'data-lake', displayName: 'Data Lake' }, 201);
  await expect(pat, 'POST', '/customers/northwind/projects', { identifier: 'web-shop', displayName: 'Web Shop' }, 201);
  const tenants = await api(pat, 'GET', '/customers/northwind/projects/data-lake');
  if (!JSON.stringify(tenants.body ?? {}).includes('"platform"')) {
    await expect(pat, 'POST', '/customers/northwind/projects/data-lake/tenants', { platform: 'aws' }, 201);
  }
  const serviceUsers = await api(pat, 'GET', '/customers/northwind/service-users');
  if (!(serviceUsers.body?.items ?? []).length) {
    await expect(pat, 'POST', '/customers/northwind/service-users', { name: 'ci-pipeline' }, 201);
  }
  await expect(pat, 'PATCH', '/customers/northwind/tags', { 'cost-center': ['CC-1042'], environment: ['prod', 'test'] }, 200);
  await expect(pat, 'POST', '/customers/northwind/invitations', { email: 'dana@northwind.example', role: 'CUSTOMER_EMPLOYEE' }, 201);
  await expect(pat, 'POST', '/customers/northwind/messages', { text: 'Maintenance window on Saturday 02:00–04:00 UTC.', mode: 'SINGLE_READ' }, 201);
  // Fabrikam is disabled (with its reason in the history).
  const fabrikam = await api(pat, 'GET', '/customers/fabrikam');
  if (fabrikam.body?.status === 'ACTIVE') {
    await expect(pat, 'PUT', '/customers/fabrikam/status', { status: 'DISABLED', reason: 'Unpaid invoice 2026-11' }, 200);
  }
  // A registration waiting for approval.
  const sam = await tokenFor({ sub: 'sam', email: 'sam@example.com', name: 'Sam', groups: [] });
  await expect(sam, 'POST', '/registrations', { identifier: 'sams-bakery', displayName: "Sam's Bakery" }, 201);
}

async function shoot(page, name, ready) {
  for (const [viewport, suffix] of [[DESKTOP, ''], [PHONE, '-390']]) {
    await page.setViewportSize(viewport);
    if (ready) await ready().waitFor();
    // Cloudscape measures its containers after a resize.
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(folder, `${name}${suffix}.png`) });
  }
  await page.setViewportSize(DESKTOP);
}

await mkdir(folder, { recursive: true });
await scene();
const browser = await startBrowser();
try {
  const page = await newPage(browser.context);
  const at = (path) => page.goto(new URL(path, portalUrl).href);
  await signIn(page, 'pat', '/admin/customers');
  const heading = (name, level = 1) => () => page.getByRole('heading', { name, level }).first();

  await at('/admin/customers');
  await shoot(page, 'admin-customers', () => page.locator('table tbody tr').nth(2));
  await at('/admin/customers/contoso-retail/users');
  await shoot(page, 'admin-customer-users', () => page.getByRole('button', { name: 'Add Myself' }));
  // The history is written from the bus a second or two after the scene: read again until it is.
  await at('/admin/customers/northwind/history');
  const entry = page.getByText('(partner admin)').first();
  for (let attempt = 0; !(await entry.waitFor({ timeout: 1000 }).then(() => true, () => false)); attempt += 1) {
    if (attempt >= 20) throw new Error('the history of northwind stays empty');
    await page.reload();
  }
  await shoot(page, 'admin-customer-history', () => entry);
  await at('/admin/customers/northwind/users');
  await page.getByRole('button', { name: 'Disable northwind' }).click();
  await shoot(page, 'admin-disable-modal', () => page.getByRole('dialog'));
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await at('/admin/tag-definitions');
  await shoot(page, 'admin-tag-definitions', () => page.getByText('Cost center').first());
  await at('/my/customers/northwind/projects');
  await shoot(page, 'my-customer-projects', () => page.getByRole('link', { name: 'Data Lake' }));
  await at('/my/customers/northwind/projects/data-lake');
  await shoot(page, 'my-customer-project', heading('Data Lake', 2));
  await at('/my/customers/northwind/service-users');
  await shoot(page, 'my-customer-service-users', () => page.getByText('ci-pipeline').first());

  const newcomer = await newPage(browser.context);
  await signIn(newcomer, { sub: 'robin', email: 'robin@example.org', name: 'Robin' }, '/register');
  await shoot(newcomer, 'register', () => newcomer.getByLabel(/identifier/i).first());
  const problems = [...page.problems, ...newcomer.problems];
  if (problems.length) throw new Error(problems.join('\n'));
} finally {
  await browser.close();
}
console.log(`screenshots written to ${folder}`);
