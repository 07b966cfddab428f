// The smallest walk through the page: a partner admin signs in through the local sign-in page
// and lands on the customers list, which passes axe, then signs out through the local logout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectAccessible, newPage, screenshot, signIn, startBrowser } from './helpers.mjs';

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
  await page.getByRole('link', { name: '+ Create Customer' }).waitFor();
  await expectAccessible(page, 'the customers page');
  await screenshot(page, 'admin-customers');
  // Signing out passes the local sign-in's logout, which returns to the page's /signed-out.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(new URL('/signed-out', process.env.PORTAL_URL).href);
  assert.deepEqual(page.problems, []);
});
