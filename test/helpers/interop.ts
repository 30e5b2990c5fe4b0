/**
 * The one path to the interop corpus (real AD FS documents): `test/fixtures/interop`, vendored with
 * its sources and upstream licences (`SOURCES.md`, `LICENSES/`), so a clone tests itself.
 * `PSSO_INTEROP_DIR` points the tests (and `npm run bench`) at another copy. Every test and benchmark
 * that reads the corpus goes through this file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The corpus folder: `PSSO_INTEROP_DIR` when set, else the vendored `test/fixtures/interop`.
 *
 * @example
 * ```ts
 * join(INTEROP_DIR, 'SOURCES.md');
 * ```
 */
export const INTEROP_DIR: string =
  process.env.PSSO_INTEROP_DIR ?? fileURLToPath(new URL('../fixtures/interop', import.meta.url));

/**
 * The absolute path of a corpus file.
 *
 * @example
 * ```ts
 * interopPath('mex/microsoft.mex.xml');
 * ```
 */
export function interopPath(relative: string): string {
  return join(INTEROP_DIR, relative);
}

/**
 * Reads a corpus file as bytes.
 *
 * @example
 * ```ts
 * const mex = readInterop('mex/microsoft.mex.xml').toString('utf8');
 * ```
 */
export function readInterop(relative: string): Buffer {
  return readFileSync(interopPath(relative));
}

/**
 * The `.xml` files of one corpus folder, sorted, as paths relative to the corpus (`mex/a.xml`).
 *
 * @example
 * ```ts
 * for (const file of interopXmlFiles('rstr')) readInterop(file);
 * ```
 */
export function interopXmlFiles(folder: 'mex' | 'rstr'): string[] {
  return readdirSync(interopPath(folder))
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => `${folder}/${f}`);
}
