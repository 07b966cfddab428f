// The smallest walk through the page: a partner admin signs in through the local sign-in page
// and lands on the customers list, which passes the screen checks, then signs out through the
// local logout from the user menu of the top navigation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkScreen, expectAccessible, newPage, screenshot, signIn, startBrowser } from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test('a partner admin signs in through the local sign-in page and sees the customers', async () => {
  const page = await newPage(browser.context);
  await page.goto(new URL('/admin/customers', process.env.PORTAL_URL).href);
  await page.waitForURL(/\/_local\/oauth2\/authorize\?/);
  await expectAccessible(page, 'the local sign-in page');
  await screenshot(page, 'sign-in');
  await signIn(page, 'pat', '/admin/customers');
  assert.match(new URL(page.url()).pathname, /^\/admin\/customers/);
  await page.getByRole('link', { name: 'Create Customer' }).waitFor();
  await page.getByRole('heading', { name: /^Customers/, level: 1 }).waitFor();
  await checkScreen(page, 'admin-customers', 'the customers page');
  // Signing out passes the local sign-in's logout, which returns to the page's /signed-out.
  await page.getByRole('button', { name: /^Signed in as / }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(new URL('/signed-out', process.env.PORTAL_URL).href);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.writes, []);
});
