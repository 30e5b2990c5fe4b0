/**
 * The user's Secure Enclave key, stood in for by a software P-256 key kept in the device key file
 * as `"userSecureEnclaveKey": { <private EC JWK>, "storage": "software" }` (docs/PLATFORM-SSO.md §3.9).
 * A Mac keeps this key in the Secure Enclave and never exports it; this project keeps it in the
 * 0600 key file, and says so in the file.
 *
 * @module
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { ConfigError } from '../../errors.js';
import {
  type DeviceKeys,
  deviceKeyFromPrivateKey,
  loadDeviceKeys,
  serializeDeviceKeys,
  type UserSecureEnclaveKey,
} from './device-keys.js';

/**
 * A fresh software stand-in for a user Secure Enclave key (P-256).
 *
 * @example
 * ```ts
 * const key = generateUserSecureEnclaveKey();
 * key.storage; // 'software'
 * ```
 */
export function generateUserSecureEnclaveKey(): UserSecureEnclaveKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...deviceKeyFromPrivateKey(privateKey), storage: 'software' };
}

/** Options of {@link addUserSecureEnclaveKey}. */
export interface AddUserKeyOptions {
  /** Replace a user key already in the file (default: keep it and return it). */
  readonly replace?: boolean;
}

/**
 * Adds a user Secure Enclave key (software stand-in) to an existing device key file, rewriting it
 * atomically (mode 0600). A key already there is kept unless `replace`.
 *
 * @throws {ConfigError} `PSSO_ERR_KEYS_FILE` when the file does not exist, is corrupt or cannot be
 *   written.
 * @example
 * ```ts
 * const keys = await addUserSecureEnclaveKey('/var/lib/psso/device-keys.json');
 * console.log(keys.userSecureEnclaveKey?.kid);
 * ```
 */
export async function addUserSecureEnclaveKey(
  path: string,
  options: AddUserKeyOptions = {},
): Promise<DeviceKeys & { readonly userSecureEnclaveKey: UserSecureEnclaveKey }> {
  const keys = await loadDeviceKeys(path);
  if (keys === undefined)
    throw new ConfigError(
      'PSSO_ERR_KEYS_FILE',
      `the device key file ${path} does not exist: create the device keys first`,
    );
  if (keys.userSecureEnclaveKey !== undefined && options.replace !== true)
    return { ...keys, userSecureEnclaveKey: keys.userSecureEnclaveKey };
  const next = { ...keys, userSecureEnclaveKey: generateUserSecureEnclaveKey() };
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(serializeDeviceKeys(next), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    throw new ConfigError('PSSO_ERR_KEYS_FILE', `cannot write the device key file ${path}`, {
      cause: e,
    });
  } finally {
    await rm(temp, { force: true });
  }
  return next;
}
