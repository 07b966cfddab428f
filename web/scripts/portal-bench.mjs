// The portal section of `make bench` (tests/src/bench/portal.rs starts the local cloud with the
// built page, seeds the customers and runs this): what a partner admin's browser loads and waits
// for on the first screen, the customers list.
//
// Each run is a fresh chromium (a new, empty profile) that signs in as Pat (partner admin of acme)
// through the local sign-in page; then its cache is emptied, the network is emulated as DevTools'
// "Fast 4G" and the page is opened at `/` (pending messages first, then the customers list):
// - cold: from the navigation's start to the table showing 25 rows, with the cache empty; the
//   JavaScript and CSS that navigation loaded (each response's body gzipped at level 9, as
//   `first-screen-size.mjs` counts the build) and the font files (woff2, compressed already);
// - warm: the same navigation again, the cache as the first left it.
// Prints one JSON object: every sample and the medians.
//
// PORTAL_URL, API_URL and SES_URL as for the browser suite; `--runs N` (default 5).
import { gzipSync } from 'node:zlib';
import { newPage, portalUrl, signIn, startBrowser } from '../e2e/helpers.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs takes a positive whole number');
const ROWS = 25;
// DevTools' "Fast 4G" (its 9 Mbit/s and 1.5 Mbit/s with the 0.9 it allows for packet overhead),
// with issue 21's 170 ms round trip (DevTools: 165 ms).
const FAST_4G = {
  offline: false,
  latency: 170,
  downloadThroughput: (9_000_000 / 8) * 0.9,
  uploadThroughput: (1_500_000 / 8) * 0.9,
};

/** Milliseconds from the navigation's start until the customers table has `ROWS` rows. */
async function openFirstScreen(page) {
  await page.goto(new URL('/', portalUrl).href, { waitUntil: 'commit' });
  const shown = await page.waitForFunction(
    (rows) => {
      // The table's body rows (Cloudscape's sticky header is a table of its own without a tbody).
      const count = document.querySelectorAll('table tbody tr').length;
      return count >= rows ? performance.now() : false;
    },
    ROWS,
    { polling: 'raf', timeout: 60_000 },
  );
  return shown.jsonValue();
}

function kind(response) {
  const type = response.request().resourceType();
  if (type === 'script') return 'js';
  if (type === 'stylesheet') return 'css';
  if (type === 'font') return 'font';
  return null;
}

/**
 * One file the first screen loaded: its bytes as served (read again over HTTP without the
 * browser: a body is gone once the page navigates), gzipped at level 9 (not fonts: woff2 is
 * compressed already), and what the server actually sent (its own gzip).
 */
async function measure(response, what) {
  const answer = await fetch(response.url(), { headers: { 'accept-encoding': 'identity' } });
  if (!answer.ok) throw new Error(`${response.url()} answered ${answer.status}`);
  const body = Buffer.from(await answer.arrayBuffer());
  return {
    url: new URL(response.url()).pathname,
    kind: what,
    bytes: body.length,
    gzipped: what === 'font' ? body.length : gzipSync(body, { level: 9 }).length,
    transferred: (await response.request().sizes()).responseBodySize,
  };
}

async function run() {
  const browser = await startBrowser();
  try {
    const page = await newPage(browser.context);
    // The sign-in is not what is measured: on a machine still busy with the cloud's start (the
    // smoke run in make test) it may take longer than the suite's 15 s.
    page.setDefaultTimeout(90_000);
    page.setDefaultNavigationTimeout(90_000);
    await signIn(page, 'pat');
    // Everything of the signed-in page loaded, so that none of its responses counts below.
    await page.waitForLoadState('networkidle');
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Network.emulateNetworkConditions', FAST_4G);

    const loaded = [];
    const record = (response) => {
      const what = kind(response);
      if (what && response.url().startsWith(portalUrl)) loaded.push({ response, what });
    };
    page.on('response', record);
    const cold = await openFirstScreen(page);
    page.off('response', record);
    const files = await Promise.all(loaded.map(({ response, what }) => measure(response, what)));
    const warm = await openFirstScreen(page);
    if (page.problems.length) throw new Error(page.problems.join('\n'));
    return { cold, warm, files };
  } finally {
    await browser.close();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const kb = (bytes) => Math.round(bytes / 102.4) / 10;
const sum = (files, what, field) => files.filter((file) => file.kind === what).reduce((total, file) => total + file[field], 0);

const runs = [];
for (let n = 0; n < RUNS; n += 1) runs.push(await run());
// The files of the first run: every run loads the same build.
const files = runs[0].files;
console.log(
  JSON.stringify({
    runs: RUNS,
    network: FAST_4G,
    coldMs: runs.map((r) => r.cold),
    warmMs: runs.map((r) => r.warm),
    coldMedianMs: median(runs.map((r) => r.cold)),
    warmMedianMs: median(runs.map((r) => r.warm)),
    firstScreen: {
      jsGzipKB: kb(sum(files, 'js', 'gzipped')),
      cssGzipKB: kb(sum(files, 'css', 'gzipped')),
      totalGzipKB: kb(sum(files, 'js', 'gzipped') + sum(files, 'css', 'gzipped')),
      jsKB: kb(sum(files, 'js', 'bytes')),
      cssKB: kb(sum(files, 'css', 'bytes')),
      transferredKB: kb(sum(files, 'js', 'transferred') + sum(files, 'css', 'transferred')),
      fontKB: kb(sum(files, 'font', 'bytes')),
      fontFiles: files.filter((file) => file.kind === 'font').length,
      files,
    },
  }),
);
