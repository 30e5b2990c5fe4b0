/**
 * Where the interop corpus (real AD FS documents) lives: `PSSO_INTEROP_DIR`, else
 * `../shared/fixtures/interop` beside the repository. Under CI a missing corpus is a failure;
 * elsewhere the tests that need it say plainly that they did not run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir =
  process.env.PSSO_INTEROP_DIR ??
  fileURLToPath(new URL('../../../shared/fixtures/interop', import.meta.url));

/** The corpus folder, or `undefined` when it is absent (and not under CI). */
export function interopDir(): string | undefined {
  if (existsSync(join(dir, 'SOURCES.md'))) return dir;
  if (process.env.CI === 'true') throw new Error(`The interop corpus is missing under CI: ${dir}`);
  return undefined;
}

/** `{ skip }` option for node:test when the corpus is absent. */
export function interopSkip(): { skip: string | false } {
  return interopDir() === undefined
    ? {
        skip: `interop corpus not found at ${dir} (set PSSO_INTEROP_DIR): these tests were NOT run`,
      }
    : { skip: false };
}

/** Reads a corpus file as bytes. */
export function readInterop(relative: string): Buffer {
  const d = interopDir();
  if (d === undefined) throw new Error('interop corpus not found');
  return readFileSync(join(d, relative));
}
