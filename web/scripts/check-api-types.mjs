// Fails when src/api/schema.d.ts is not what openapi-typescript makes of infra/openapi.yaml today:
// the page's API types are generated, never edited, and never left behind the API.
// Fix with `npm --prefix web run gen:api`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const folder = mkdtempSync(join(tmpdir(), 'meshcustomers-api-types-'));
try {
  const fresh = join(folder, 'schema.d.ts');
  execFileSync(join(web, 'node_modules', '.bin', 'openapi-typescript'), [join(web, '..', 'infra', 'openapi.yaml'), '-o', fresh], { stdio: 'pipe' });
  const committed = readFileSync(join(web, 'src', 'api', 'schema.d.ts'), 'utf8');
  if (readFileSync(fresh, 'utf8') !== committed) {
    console.error('web/src/api/schema.d.ts is out of date with infra/openapi.yaml: run `npm --prefix web run gen:api` and commit it.');
    process.exit(1);
  }
  console.log('web/src/api/schema.d.ts matches infra/openapi.yaml.');
} finally {
  rmSync(folder, { recursive: true, force: true });
}
