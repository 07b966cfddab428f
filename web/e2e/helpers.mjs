// Helpers of the browser tests (web/e2e/*.e2e.mjs), which tests/tests/browser.rs runs with
// `node --test` against a local cloud started as `make dev` starts it. It passes the addresses:
// PORTAL_URL (the page), API_URL (the gateway) and SES_URL (the SES emulator's mails).
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through tests/tests/browser.rs`);
  return value;
}

export const portalUrl = required('PORTAL_URL');
export const apiUrl = required('API_URL');
export const sesUrl = required('SES_URL');

/** Where screenshots go (ignored by git). */
export const screenshotFolder = join(here, '..', 'screenshots');

// Debian's chromium, as /work/.library/env/machines/rust.md starts it: without the background
// networking flags it keeps trying to reach Google's hosts, which this machine's network refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts chromium headless with a fresh, empty profile folder of its own, and returns
 * `{ context, close }`; `close()` ends the browser and removes the profile.
 */
export async function startBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'meshcustomers-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A new page in its own browser context: a session of its own (sessionStorage is per tab anyway).
 * `page.problems` collects the page's uncaught errors; `page.writes` every POST, PUT, PATCH and
 * DELETE it sends to the API (`{method, url, at}`), so a walk can hold that opening a page writes
 * nothing.
 */
export async function newPage(context) {
  const page = await context.newPage();
  const problems = [];
  const writes = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    // The API's own routes; the local sign-in's form and token exchange (/_local/) are no API write.
    const url = request.url();
    if (url.startsWith(apiUrl) && !url.startsWith(`${apiUrl}/_local/`) && !['GET', 'HEAD', 'OPTIONS'].includes(request.method())) {
      writes.push({ method: request.method(), url: request.url(), at: Date.now() });
    }
  });
  // Only for telling why a step failed (see `stage`): aborted loads are normal on navigation.
  const trouble = [];
  page.on('console', (message) => message.type() === 'error' && trouble.push(`console: ${message.text()}`));
  page.on('requestfailed', (request) => trouble.push(`${request.method()} ${request.url()} failed: ${request.failure()?.errorText}`));
  page.on('response', (response) => response.status() >= 500 && trouble.push(`${response.status()} from ${response.url()}`));
  page.problems = problems;
  page.trouble = trouble;
  page.writes = writes;
  return page;
}

/** The width of a small phone (iPhone 12-15), at which no page may scroll sideways. */
export const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };

/**
 * Every screen's checks: axe finds nothing serious or critical; at 390×844 the document is no
 * wider than the screen (no sideways scroll); screenshots at 1366 and 390 px wide.
 */
export async function checkScreen(page, name, what = name) {
  await page.setViewportSize(DESKTOP);
  await expectAccessible(page, what);
  await screenshot(page, name);
  await page.setViewportSize(PHONE);
  // Let the layout settle at the new width (Cloudscape measures its containers).
  await page.waitForTimeout(300);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await screenshot(page, `${name}-390`);
  assert.ok(width <= PHONE.width, `${what} is ${width} px wide at ${PHONE.width} px: the page scrolls sideways`);
  await page.setViewportSize(DESKTOP);
}

/**
 * Opens `path` and waits until the page has settled (no request for a moment); throws when opening
 * it sent any write to the API.
 */
export async function openWithoutWrites(page, path, ready) {
  const since = Date.now();
  await page.goto(new URL(path, portalUrl).href);
  if (ready) await ready.waitFor();
  await page.waitForLoadState('networkidle');
  const sent = page.writes.filter((w) => w.at >= since);
  assert.deepEqual(sent, [], `opening ${path} sent writes`);
}

/**
 * Chooses `option` (its label, or a RegExp when the option also shows a description) in the
 * Cloudscape select `trigger` (a button that opens a list box).
 */
export async function choose(page, trigger, option) {
  await trigger.click();
  await page.getByRole('option', { name: option, exact: typeof option === 'string' }).click();
}

/** Opens the row action drop-down `label` and clicks its item `item`. */
export async function rowAction(page, label, item) {
  await page.getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('menuitem', { name: item, exact: true }).click();
}

/** The example people of the local sign-in page (infra/local/cloud/src/signin/oauth.rs). */
export const people = {
  olivia: 'Olivia, platform admin',
  pat: 'Pat, partner admin of acme',
  eve: 'Eve, partner employee of acme',
  gil: 'Gil, partner admin of globex',
  gina: 'Gina, partner employee of globex',
  sam: 'Sam, customer user',
  dana: 'Dana, customer user',
};

/**
 * Opens `path` of the portal and signs in through the real sign-in page as an example person
 * (a key of `people`), or, given an object, through its "sign in as" form with those claims
 * ({sub, email, emailVerified, name, groups, partnerId}). Waits until the page is back on the
 * portal, away from /auth/callback.
 */
export async function signIn(page, who, path = '/') {
  await page.goto(new URL(path, portalUrl).href);
  await stage(page, 'the portal did not send the browser to the sign-in page', () =>
    page.waitForURL((url) => url.href.startsWith(`${apiUrl}/_local/oauth2/authorize`)));
  if (typeof who === 'string') {
    const person = people[who];
    if (!person) throw new Error(`no example person ${who}; there are ${Object.keys(people).join(', ')}`);
    await page.getByRole('button', { name: `Sign in as ${person}` }).click();
  } else {
    await page.getByLabel('User id (sub)').fill(who.sub);
    if (who.email) await page.getByLabel('Email', { exact: true }).fill(who.email);
    if (who.emailVerified === false) await page.getByLabel('Email verified').uncheck();
    if (who.name) await page.getByLabel('Name', { exact: true }).fill(who.name);
    for (const group of who.groups ?? []) await page.getByLabel(group, { exact: true }).check();
    if (who.partnerId) await page.getByLabel('Partner id').fill(who.partnerId);
    await page.getByRole('button', { name: 'Sign in with these claims' }).click();
  }
  await stage(page, 'the sign-in did not return to the portal', () =>
    page.waitForURL((url) => url.href.startsWith(portalUrl) && !url.pathname.startsWith('/auth/callback')));
}

/** Runs `step`; if it fails, says `what` with where the page is, what it shows and its errors. */
async function stage(page, what, step) {
  try {
    await step();
  } catch (error) {
    const text = await page.locator('body').innerText({ timeout: 1_000 }).catch(() => '(no text)');
    const problems = [...(page.problems ?? []), ...(page.trouble ?? [])];
    const told = problems.length ? `; what went wrong on the way: ${problems.slice(-10).join(' | ')}` : '';
    throw new Error(`${what}: the page is at ${page.url()}, saying: ${text.slice(0, 500)}${told}`, { cause: error });
  }
}

/** Every mail in the SES emulator's store (`GET <ses>/store`). */
export async function mails() {
  const response = await fetch(`${sesUrl}/store`);
  if (!response.ok) throw new Error(`${sesUrl}/store answered ${response.status}`);
  return (await response.json()).emails ?? [];
}

/** The first mail that `matches`, waiting up to `timeoutMs` for the pipeline to send it. */
export async function waitForMail(matches, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await mails()).find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such mail within ${timeoutMs} ms; the store has ${JSON.stringify(await mails())}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Whether `mail` went to `address` itself (not merely to an address that contains it). */
export function sentTo(mail, address) {
  return (mail.destination?.to ?? []).includes(address);
}

/** The portal link in a mail's text that starts with `<portal>/<page>?token=`. */
export function linkIn(mail, page) {
  const text = mail.body?.text ?? '';
  const match = text.match(new RegExp(`${portalUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${page}\\?token=[A-Za-z0-9_-]+`));
  if (!match) throw new Error(`the mail has no ${page} link of the portal: ${text}`);
  return match[0];
}

const axeSource = readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page as it is now and throws, listing them, when it finds a serious or
 * critical violation. Returns every violation (minor and moderate ones included) for reporting.
 */
export async function expectAccessible(page, what) {
  await settled(page);
  await page.addScriptTag({ content: await axeSource });
  const violations = await page.evaluate(async () => (await globalThis.axe.run(document)).violations);
  const blocking = violations.filter((violation) => ['serious', 'critical'].includes(violation.impact));
  const summary = (list) =>
    list
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((node) => node.target.join(' ')).join('; ')})`)
      .join('\n');
  if (violations.length > 0) console.log(`axe on ${what}: ${violations.length} violation(s)\n${summary(violations)}`);
  if (blocking.length > 0) throw new Error(`axe found serious or critical violations on ${what}:\n${summary(blocking)}`);
  return violations;
}

/**
 * Waits for the page's finite animations and transitions (a modal fading in) to end, up to 2 s:
 * axe measured mid-fade sees text at part opacity and reports its contrast.
 */
async function settled(page) {
  await page.evaluate(() => {
    const finite = document
      .getAnimations()
      .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity)
      .map((animation) => animation.finished.catch(() => undefined));
    return Promise.race([Promise.all(finite), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  });
}

/** Saves a full-page screenshot as web/screenshots/<name>.png. */
export async function screenshot(page, name) {
  await mkdir(screenshotFolder, { recursive: true });
  await page.screenshot({ path: join(screenshotFolder, `${name}.png`), fullPage: true });
}

/** A fresh identifier, so scenarios never collide with each other or with earlier runs. */
export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** A token from the local issuer (`POST <api>/_local/tokens`), to set a scene up over the API. */
export async function tokenFor(claims) {
  const response = await fetch(`${apiUrl}/_local/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(claims),
  });
  if (!response.ok) throw new Error(`POST /_local/tokens answered ${response.status}`);
  return (await response.json()).token;
}

/** A person of the scenario's own: claims for the sign-in page's "sign in as", and a token. */
export async function person(prefix, { groups = [], partnerId, domain = 'example.org' } = {}) {
  const sub = unique(prefix);
  const claims = { sub, email: `${sub}@${domain}`, name: `${prefix} ${sub}`, groups, partnerId };
  const token = await tokenFor({ sub, email: claims.email, name: claims.name, groups, ...(partnerId ? { partner_id: partnerId } : {}) });
  return { claims, token };
}

/** A call of the API that must answer `expected`; returns its body. */
export async function expectStatus(token, method, path, body, expected) {
  const answer = await api(token, method, path, body);
  assert.equal(answer.status, expected, `${method} ${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A call of the API as the token's holder; returns `{status, body}`. */
export async function api(token, method, path, body) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
