// The JavaScript and CSS a browser loads for the admin area's first screen (the customers list),
// gzipped, from the Vite manifest of `web/dist`: the entry, the chunks it imports statically, and
// the lazy chunks that screen loads (the customers area, the pending messages before it), with all
// of theirs. Fonts are files of their own and counted apart: woff2 is compressed already.
// Run after `npm run build`: `node scripts/first-screen-size.mjs [--json]`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
// By chunk name: a lazy chunk's manifest key is its source path, or its file name when Rollup
// shares it between dynamic imports.
const FIRST_SCREEN_CHUNKS = ['CustomersArea', 'PendingMessagesFirst'];
const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
const FIRST_SCREEN = [entry, ...manifest[entry].dynamicImports.filter((key) => FIRST_SCREEN_CHUNKS.includes(manifest[key].name))];
if (FIRST_SCREEN.length !== FIRST_SCREEN_CHUNKS.length + 1) throw new Error(`the manifest lacks a chunk of ${FIRST_SCREEN_CHUNKS.join(', ')}`);

const files = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`${key} is not in the manifest`);
  if (files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const imported of chunk.imports ?? []) visit(imported);
};
FIRST_SCREEN.forEach(visit);

const sizes = { js: 0, css: 0, jsRaw: 0, cssRaw: 0 };
for (const file of files) {
  const bytes = readFileSync(join(dist, file));
  const kind = file.endsWith('.css') ? 'css' : file.endsWith('.js') ? 'js' : null;
  if (!kind) continue;
  sizes[kind] += gzipSync(bytes, { level: 9 }).length;
  sizes[`${kind}Raw`] += bytes.length;
}
const kb = (n) => Math.round(n / 102.4) / 10;
const report = { files: [...files].sort(), jsGzipKB: kb(sizes.js), cssGzipKB: kb(sizes.css), totalGzipKB: kb(sizes.js + sizes.css), jsKB: kb(sizes.jsRaw), cssKB: kb(sizes.cssRaw) };
if (process.argv.includes('--json')) console.log(JSON.stringify(report));
else console.log(`first screen: ${report.jsGzipKB} KB JS + ${report.cssGzipKB} KB CSS gzipped = ${report.totalGzipKB} KB (raw ${report.jsKB} KB JS, ${report.cssKB} KB CSS; ${report.files.length} files)`);
