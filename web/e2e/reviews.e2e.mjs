// Access reviews and members at a moment (issue 24) in chromium against the local cloud (run by
// tests/tests/browser.rs; helpers in ./helpers.mjs): a customer admin reviews access in Account →
// Access review, removing one member after the confirmation that names him; downloads the CSV
// (its header line); and an admin-area user looks at History → "Members on…" a moment before the
// removal and finds the removed member there, marked as removed since.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { checkScreen, expectStatus, newPage, person, signIn, startBrowser, unique } from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

const pad = (n) => String(n).padStart(2, '0');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Types into a Cloudscape masked input (date picker, time input) as a person does, replacing what it holds. */
async function typeInto(input, text) {
  await input.click();
  await input.press('ControlOrMeta+a');
  await input.press('Backspace');
  await input.pressSequentially(text);
}

const CSV_HEADER = 'kind,id,name,email,role,joinedVia,addedBy,joinedAt,lastRoleChangeAt,expiresAt,lastReviewedAt,lastUsedAt';

test('a customer admin reviews access removing one member, downloads the CSV; "Members on…" before the removal shows him', async () => {
  const owner = await person('owner', { groups: ['partner-admins'], partnerId: 'acme', domain: 'acme.example' });
  const leaver = await person('leaver', { groups: ['partner-admins'], partnerId: 'acme', domain: 'acme.example' });
  const auditor = await person('auditor', { groups: ['partner-admins'], partnerId: 'acme', domain: 'acme.example' });
  const id = unique('review');
  const displayName = `Review ${id}`;
  await expectStatus(owner.token, 'POST', '/customers', { identifier: id, displayName }, 201);
  await expectStatus(owner.token, 'POST', `/customers/${id}/users/me`, { reason: 'the admin that reviews' }, 201);
  await expectStatus(leaver.token, 'POST', `/customers/${id}/users/me`, { reason: 'a task long done' }, 201);
  // A moment while the leaver is a member, whole seconds clear of his joining and of his removal.
  await sleep(2_000);
  const before = new Date();
  await sleep(2_000);

  // The review: everyone kept unless chosen; the leaver removed after the confirmation naming him.
  const page = await newPage(browser.context);
  await signIn(page, owner.claims, `/my/customers/${id}/access-review`);
  const members = page.getByRole('table', { name: `Members of ${displayName} to review` });
  await members.getByRole('row').filter({ hasText: leaver.claims.name }).waitFor();
  assert.deepEqual(page.writes, [], 'opening the review wrote nothing');
  await members.getByRole('checkbox', { name: `Remove ${leaver.claims.name}` }).check();
  await page.getByLabel('Note (optional)').fill('Quarterly review: the task is done');
  await checkScreen(page, 'review-access', 'Account → Access review with a member to remove');
  await page.getByRole('button', { name: 'Submit review' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Remove 1 member from', { exact: false }).waitFor();
  await dialog.getByText(leaver.claims.name, { exact: false }).waitFor();
  await checkScreen(page, 'review-access-confirm', 'the review confirmation');
  assert.deepEqual(page.writes, [], 'nothing is sent before the confirmation');
  await dialog.getByRole('button', { name: 'Remove 1 member and record the review' }).click();
  await page.getByText('1 member kept, 1 member removed:', { exact: false }).waitFor();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(page.writes.length, 1);
  const past = page.getByRole('table', { name: `Access reviews of ${displayName}` });
  await past.getByText('Quarterly review: the task is done').waitFor();
  await members.getByRole('row').filter({ hasText: leaver.claims.name }).waitFor({ state: 'detached' });
  const now = (await expectStatus(owner.token, 'GET', `/customers/${id}/users`, undefined, 200)).items.map((m) => m.userId);
  assert.deepEqual(now, [owner.claims.sub]);
  await checkScreen(page, 'review-access-done', 'the review recorded');

  // The CSV, through the page's API client, saved as a file.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download access review (CSV)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), new RegExp(`^access-review-${id}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = await readFile(await download.path(), 'utf8');
  assert.equal(csv.split('\r\n')[0], CSV_HEADER);
  assert.match(csv, new RegExp(`\r\nMEMBER,${owner.claims.sub},`));
  assert.equal(page.writes.length, 1, 'the download wrote nothing');

  // An admin-area user (no member): History → Members on… a moment before the removal.
  const audit = await newPage(browser.context);
  await signIn(audit, auditor.claims, `/admin/customers/${id}/history`);
  // The history's own day filters have the same placeholder: the picker's inputs, by its box.
  const picker = audit.locator('.moment-picker');
  await typeInto(picker.getByPlaceholder('YYYY/MM/DD'), `${before.getFullYear()}/${pad(before.getMonth() + 1)}/${pad(before.getDate())}`);
  await typeInto(picker.getByPlaceholder('hh:mm:ss'), `${pad(before.getHours())}${pad(before.getMinutes())}${pad(before.getSeconds())}`);
  await audit.getByRole('button', { name: 'Show members' }).click();
  const then = audit.getByRole('table', { name: `Members of ${displayName} at the chosen moment` });
  const leaverThen = then.getByRole('row').filter({ hasText: leaver.claims.email });
  await leaverThen.getByText('Removed since').waitFor();
  await then.getByRole('row').filter({ hasText: owner.claims.email }).getByText('Member', { exact: true }).waitFor();
  await checkScreen(audit, 'members-on', 'History → Members on… with a removed member');
  assert.deepEqual(audit.writes, [], 'looking back wrote nothing');
  assert.deepEqual([...page.problems, ...audit.problems], []);
  await page.close();
  await audit.close();
});
