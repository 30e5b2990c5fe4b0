/**
 * `psso-wstrust idp keys export [--data DIR] [--out FILE|-] [--force] [--json]` and
 * `psso-wstrust idp keys import FILE|- [--data DIR] [--force] [--json]`: the IdP's keys moved
 * between data folders so that two hosts are interchangeable (src/idp/keys/bundle.ts). The
 * bundle holds private keys: it is written 0600, never over an existing file without `--force`,
 * and never printed to a terminal. Exit codes: 0 done; 1 refused (the code is printed:
 * `PSSO_ERR_IDP_KEYS_MISSING`, `PSSO_ERR_IDP_KEY_BUNDLE_*`, …); 2 usage (an existing `--out`
 * without `--force`, `--json` with `--out -`).
 *
 * @module
 */
import type { Command } from 'commander';
import { exportIdpKeys, importIdpKeys } from 'psso-wstrust-idp';
import {
  createFileOnce,
  defaultDataDir,
  MAX_KEY_BUNDLE_BYTES,
  serializeKeyBundle,
  summarizeKeys,
} from 'psso-wstrust-idp/admin';
import { readInput } from '../io.js';
import { done, printJson } from '../output.js';
import { writePrivateFile } from '../private-file.js';
import { UsageError } from '../usage.js';

interface KeysFlags {
  data?: string;
  force?: boolean;
  json?: boolean;
}

const dataOption = () => `the IdP data folder (default: ${defaultDataDir()})`;

/**
 * Adds `keys export` and `keys import` under `idp`.
 *
 * @example
 * ```ts
 * registerIdpKeys(idpCommand);
 * // psso-wstrust idp keys export --data ./idp-a --out idp-keys.json
 * // psso-wstrust idp keys import idp-keys.json --data ./idp-b
 * ```
 */
export function registerIdpKeys(idp: Command): void {
  const keys = idp
    .command('keys')
    .description("move the IdP's keys between data folders (several interchangeable hosts)");
  keys
    .command('export')
    .description('write every key of the data folder to one bundle (JSON, private: 0600)')
    .option('--data <dir>', dataOption())
    .option('--out <file>', 'the bundle file, or - for stdout (not a terminal)', '-')
    .option('--force', 'replace an existing --out file')
    .option('--json', 'print what was exported (fingerprints, never a key) as JSON')
    .action(async (flags: KeysFlags & { out: string }) => {
      const toStdout = flags.out === '-';
      if (toStdout && flags.json === true)
        throw new UsageError('--json prints on stdout: give --out FILE with it');
      if (toStdout && process.stdout.isTTY === true)
        throw new UsageError(
          'the bundle holds private keys: give --out FILE, or redirect stdout to a file',
        );
      const dataDir = flags.data ?? defaultDataDir();
      const bundle = await exportIdpKeys(dataDir);
      const text = serializeKeyBundle(bundle);
      if (toStdout) process.stdout.write(text);
      else if (flags.force === true) await writePrivateFile(flags.out, text);
      else if (!(await createFileOnce(flags.out, text, 0o600)))
        throw new UsageError(`${flags.out} already exists: pass --force to replace it`);
      const summary = summarizeKeys(bundle.keys);
      if (flags.json === true)
        printJson({ out: flags.out, dataDir, exportedAt: bundle.exportedAt, ...summary });
      else
        done(
          `exported the keys of ${dataDir} to ${toStdout ? 'stdout' : `${flags.out} (mode 0600)`}: CA ${summary.caFingerprint}, signing ${summary.signingFingerprint}`,
        );
    });
  keys
    .command('import')
    .description(
      'write the keys of a bundle into the data folder (checked before anything is written)',
    )
    .argument('<file>', 'the bundle (idp keys export), or - for stdin')
    .option('--data <dir>', dataOption())
    .option('--force', 'replace keys that differ from the bundle (clients must trust its CA)')
    .option('--json', 'print what was written, by file name, as JSON')
    .action(async (file: string, flags: KeysFlags) => {
      const dataDir = flags.data ?? defaultDataDir();
      const input = await readInput(file, MAX_KEY_BUNDLE_BYTES + 1);
      const r = await importIdpKeys(dataDir, input, { force: flags.force === true });
      if (flags.json === true) {
        printJson(r);
        return;
      }
      const list = (names: readonly string[]) => (names.length === 0 ? 'none' : names.join(', '));
      done(
        `imported into ${r.dataDir}: created ${list(r.created)}; replaced ${list(r.replaced)}; removed ${list(r.removed)}; unchanged ${list(r.unchanged)}`,
      );
      done(`CA ${r.summary.caFingerprint}, signing ${r.summary.signingFingerprint}`);
    });
}
