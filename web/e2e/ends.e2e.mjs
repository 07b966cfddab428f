// Memberships that end (issue 24) in chromium against the local cloud (run by
// tests/tests/browser.rs; helpers in ./helpers.mjs): a partner adds himself with an end (8 hours
// from now unless changed), the end is shown in the members lists ("Ends in 8 hours" with the exact
// time, also at 390 px), he moves it himself from the admin area's Users tab as the customer admin
// he now is, another customer admin is refused an end for herself as the last admin that stays
// (said in words), and clears his end from Account → Users.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkScreen, expectStatus, newPage, person, rowAction, signIn, startBrowser, unique } from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

const pad = (n) => String(n).padStart(2, '0');

/** The day `days` from today (local time of the browser, which is this machine's) as the date picker takes it. */
function dayAhead(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`;
}

/** Types into a Cloudscape masked input (date picker, time input) as a person does, replacing what it holds. */
async function typeInto(input, text) {
  await input.click();
  await input.press('ControlOrMeta+a');
  await input.press('Backspace');
  await input.pressSequentially(text);
}

test('Add Myself with an end; the end in the lists, moved by the partner and cleared by another admin', async () => {
  const visitor = await person('visitor', { groups: ['partner-admins'], partnerId: 'acme', domain: 'acme.example' });
  const owner = await person('owner', { groups: ['partner-admins'], partnerId: 'acme', domain: 'acme.example' });
  const id = unique('ends');
  const displayName = `Ends ${id}`;
  // The owner: a customer admin whose membership does not end (the one a customer always keeps).
  await expectStatus(owner.token, 'POST', '/customers', { identifier: id, displayName }, 201);
  await expectStatus(owner.token, 'POST', `/customers/${id}/users/me`, { reason: 'the admin that stays' }, 201);

  // The visitor adds himself from the admin area; the end is there already: 8 hours from now.
  const page = await newPage(browser.context);
  await signIn(page, visitor.claims, `/admin/customers/${id}/users`);
  await page.getByRole('button', { name: 'Add Myself' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Set to 8 hours from now').waitFor();
  assert.equal(await dialog.getByRole('radio', { name: /At a day and time/ }).isChecked(), true);
  assert.match(await dialog.getByPlaceholder('hh:mm').inputValue(), /^\d{2}:\d{2}$/);
  await checkScreen(page, 'ends-add-myself', 'Add Myself with its end');
  await dialog.getByLabel('Reason (optional)').fill('Ticket 4711');
  await dialog.getByRole('button', { name: 'Add Myself' }).click();
  await page.getByText(`You were added to ${id} as customer admin. Your membership ends in 8 hours`, { exact: false }).waitFor();
  const joined = (await expectStatus(visitor.token, 'GET', `/customers/${id}/users`, undefined, 200)).items.find((m) => m.userId === visitor.claims.sub);
  const hours = (Date.parse(joined.expiresAt) - Date.now()) / 3600_000;
  assert.ok(hours > 7.9 && hours <= 8, `the end sent is 8 hours from now: ${joined.expiresAt}`);

  // The end in the admin area's list, relative with the exact time under it.
  const members = page.getByRole('table', { name: `Members of ${displayName}` });
  const visitorRow = members.getByRole('row').filter({ hasText: visitor.claims.email });
  await visitorRow.getByText('Ends in 8 hours').waitFor();
  await checkScreen(page, 'ends-admin-users', "the customer's users with an ending member");

  // Now a customer admin of it, he moves his end from the same tab.
  await rowAction(page, `Actions for ${visitor.claims.name}`, 'Change end…');
  const change = page.getByRole('dialog');
  await change.getByRole('heading', { name: 'When your membership ends' }).waitFor();
  await typeInto(change.getByPlaceholder('YYYY/MM/DD'), dayAhead(10));
  await typeInto(change.getByPlaceholder('hh:mm'), '1200');
  await checkScreen(page, 'ends-change-modal', "a member's end being moved");
  await change.getByRole('button', { name: 'Save end' }).click();
  await page.getByText(/^Your membership ends in (9|10|11) days/).waitFor();
  await visitorRow.getByText(/^Ends in (9|10|11) days$/).waitFor();

  // The owner, in Account → Users: the visitor's end is listed; an end for herself is refused in
  // words (she is the last customer admin whose membership does not end); she clears his end.
  const ownerPage = await newPage(browser.context);
  await signIn(ownerPage, owner.claims, `/my/customers/${id}/users`);
  const listed = ownerPage.getByRole('table', { name: `Members of ${displayName}` });
  await listed.getByRole('row').filter({ hasText: visitor.claims.email }).getByText(/^Ends in (9|10|11) days$/).waitFor();
  await checkScreen(ownerPage, 'ends-my-users', 'Account → Users with an ending member');
  await rowAction(ownerPage, `Actions for ${owner.claims.name}`, 'Set an end…');
  const own = ownerPage.getByRole('dialog');
  await own.getByRole('radio', { name: /At a day and time/ }).check();
  await typeInto(own.getByPlaceholder('YYYY/MM/DD'), dayAhead(3));
  const writesBefore = ownerPage.writes.length;
  await own.getByRole('button', { name: 'Save end' }).click();
  await own.getByText('This is the last customer admin whose membership does not end', { exact: false }).first().waitFor();
  assert.equal(ownerPage.writes.length, writesBefore + 1);
  await own.getByRole('button', { name: 'Cancel' }).click();
  await own.waitFor({ state: 'detached' });

  await rowAction(ownerPage, `Actions for ${visitor.claims.name}`, 'Change end…');
  const clear = ownerPage.getByRole('dialog');
  await clear.getByRole('radio', { name: 'Does not end' }).check();
  await clear.getByRole('button', { name: 'Save end' }).click();
  await ownerPage.getByText(`The membership of ${visitor.claims.name} no longer ends.`).waitFor();
  await listed.getByRole('row').filter({ hasText: visitor.claims.email }).getByText('No end').waitFor();
  const after = (await expectStatus(owner.token, 'GET', `/customers/${id}/users`, undefined, 200)).items;
  assert.equal(after.find((m) => m.userId === visitor.claims.sub).expiresAt, undefined);
  assert.equal(after.find((m) => m.userId === owner.claims.sub).expiresAt, undefined);
  assert.deepEqual([...page.problems, ...ownerPage.problems], []);
  await page.close();
  await ownerPage.close();
});
