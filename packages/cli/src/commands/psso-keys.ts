/**
 * `psso-wstrust psso keys create [--keys FILE] [--force] [--json]` and
 * `psso-wstrust psso keys show [--keys FILE] [--public] [--format jwk|pem|x963] [--json]`: the
 * device key file (docs/PLATFORM-SSO.md §3.3: an ES256 signing key and a P-256 encryption key, `kid` =
 * standard base64 of SHA-256 over the X9.63 key) made on purpose, and its public keys printed for
 * the IdP. Private keys are never printed; `--public` prints the public key file that
 * `idp device add --keys` takes.
 *
 * @module
 */

import { rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from 'psso-wstrust';
import { HPKE_SUITES, isHpkeSuite } from 'psso-wstrust/jose';
import {
  type DeviceKeys,
  loadDeviceKeys,
  loadOrCreateDeviceKeys,
  PUBLIC_KEY_FORMATS,
  type PublicKeyFormat,
  publicKeyFile,
  publicKeys,
} from 'psso-wstrust/psso';
import { done, printJson } from '../output.js';
import { UsageError } from '../usage.js';

/**
 * The default device key file: `$XDG_DATA_HOME/psso-wstrust/device-keys.json`.
 *
 * @example
 * ```ts
 * const path = flags.keys ?? defaultKeysPath();
 * ```
 */
export function defaultKeysPath(): string {
  return join(
    process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'),
    'psso-wstrust',
    'device-keys.json',
  );
}

/**
 * Loads the device keys, refusing to go on without them: a login never makes keys for a device
 * the IdP cannot know.
 *
 * @throws {ConfigError} `PSSO_ERR_KEYS_MISSING` when the file does not exist, else as
 *   `loadDeviceKeys` (`PSSO_ERR_KEYS_FILE`).
 * @example
 * ```ts
 * const keys = await requireDeviceKeys(flags.keys ?? defaultKeysPath());
 * ```
 */
export async function requireDeviceKeys(path: string): Promise<DeviceKeys> {
  const keys = await loadDeviceKeys(path);
  if (keys !== undefined) return keys;
  throw new ConfigError(
    'PSSO_ERR_KEYS_MISSING',
    `there is no device key file at ${path}: create it with \`psso keys create --keys ${path}\` and register it at the IdP (\`idp device add --keys ${path}\`)`,
  );
}

function parseFormat(value: string | undefined): PublicKeyFormat {
  const found = PUBLIC_KEY_FORMATS.find((f) => f === (value ?? 'jwk'));
  if (found === undefined) throw new UsageError('--format must be jwk, pem or x963');
  return found;
}

interface KeysFlags {
  keys: string;
  json?: boolean;
}

/**
 * Adds `keys create` and `keys show` under `psso`.
 *
 * @example
 * ```ts
 * registerPssoKeys(pssoCommand);
 * // psso-wstrust psso keys create --keys ./device-keys.json
 * ```
 */
export function registerPssoKeys(psso: Command): void {
  const keys = psso
    .command('keys')
    .description('create the device key file, print its public keys');
  keys
    .command('create')
    .description('generate the device signing and encryption keys (file mode 0600)')
    .option('--keys <file>', 'the device key file', defaultKeysPath())
    .option('--force', 'replace an existing key file (the device must then be registered again)')
    .option(
      '--hpke-suite <suite>',
      'also an HPKE encryption key (Platform SSO 2.0): HPKE-P256-SHA256-A256GCM, HPKE-P384-SHA384-A256GCM or HPKE-X25519-SHA256-ChaCha20Poly1305',
    )
    .option('--json', 'print JSON')
    .action(async (flags: KeysFlags & { force?: boolean; hpkeSuite?: string }) => {
      const suite = flags.hpkeSuite;
      if (suite !== undefined && !isHpkeSuite(suite))
        throw new UsageError(`--hpke-suite must be one of ${HPKE_SUITES.join(', ')}`);
      const existing = await loadDeviceKeys(flags.keys).catch((e: unknown) => {
        if (flags.force === true) return undefined; // a corrupt file is what --force replaces
        throw e;
      });
      if (existing !== undefined || (await exists(flags.keys))) {
        if (flags.force !== true)
          throw new UsageError(
            `${flags.keys} already exists: keep it, or pass --force to replace it (then register the device again)`,
          );
        await rm(flags.keys, { force: true });
      }
      const created = await loadOrCreateDeviceKeys(
        flags.keys,
        suite === undefined ? {} : { hpkeSuite: suite },
      );
      const hpke = created.hpkeEncryption;
      const kids = Object.fromEntries(publicKeys(created, 'jwk').map((k) => [k.name, k.kid]));
      if (hpke !== undefined) kids.hpkeEncryption = hpke.kid;
      if (flags.json === true) printJson({ keys: flags.keys, kids });
      else {
        done(`device keys written to ${flags.keys} (mode 0600)`);
        for (const [name, kid] of Object.entries(kids)) console.log(`  ${name.padEnd(11)} ${kid}`);
        if (hpke !== undefined)
          console.log(
            `Register it as an HPKE device: add --encryption-alg ${hpke.alg} to the command below`,
          );
        console.log(
          `Register the device: psso-wstrust idp device add --client-id psso --keys ${flags.keys}`,
        );
      }
    });
  keys
    .command('show')
    .description('print the public keys and their kid (never a private key)')
    .option('--keys <file>', 'the device key file', defaultKeysPath())
    .option('--public', 'print the public key file (for idp device add --keys)')
    .option('--format <format>', 'jwk (with kid), pem (SPKI) or x963 (base64 of 04||X||Y)', 'jwk')
    .option('--json', 'print JSON')
    .action(async (flags: KeysFlags & { public?: boolean; format?: string }) => {
      const format = parseFormat(flags.format);
      const loaded = await requireDeviceKeys(flags.keys);
      if (flags.public === true) {
        printJson(publicKeyFile(loaded));
        return;
      }
      const list = publicKeys(loaded, format);
      if (flags.json === true) {
        printJson({ keys: flags.keys, format, publicKeys: list });
        return;
      }
      for (const k of list) {
        console.log(`${k.name} (${k.use})  kid ${k.kid}`);
        const text = typeof k.value === 'string' ? k.value : JSON.stringify(k.value);
        console.log(text.trimEnd());
      }
    });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
