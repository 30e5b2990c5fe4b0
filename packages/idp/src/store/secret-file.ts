/**
 * Reading the IdP's secret files (private keys, the admin token) with their mode checked on the
 * open file: a secret that other users may read or write is refused, naming the file and the
 * `chmod` that fixes it, as the client refuses such a device key file.
 *
 * @module
 */
import { open } from 'node:fs/promises';
import { IdpError } from 'psso-wstrust';
import { dataDirError } from './data-dir.js';

/** Permission bits a secret in the data folder must not have: any for group or others. */
export const PRIVATE_MODE_MASK = 0o077;
/** A secret must not exceed this size (keys and tokens are a few KB). */
const MAX_SECRET_BYTES = 1024 * 1024;

/**
 * Reads a secret file, or `undefined` when it does not exist. `mask`: the permission bits that
 * are refused (default {@link PRIVATE_MODE_MASK}: the file must be 0600 or stricter).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_KEY_FILE_MODE` when the file's mode has a refused bit;
 *   `PSSO_ERR_IDP_DATA_DIR` when it cannot be read or is not a regular file.
 * @example
 * ```ts
 * const pem = await readSecretFile('/data/signing-key.pem', 'the token-signing key');
 * // throws: the token-signing key /data/signing-key.pem has mode 0644 (…): chmod 600 /data/signing-key.pem
 * ```
 */
export async function readSecretFile(
  path: string,
  what: string,
  mask: number = PRIVATE_MODE_MASK,
): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw dataDirError(`cannot read ${what} ${path}`, e);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw dataDirError(`${what} ${path} is not a regular file`);
    if (info.size > MAX_SECRET_BYTES) throw dataDirError(`${what} ${path} is too large`);
    checkPrivateMode(path, what, info.mode, mask);
    return await handle.readFile('utf8');
  } catch (e) {
    throw e instanceof IdpError ? e : dataDirError(`cannot read ${what} ${path}`, e);
  } finally {
    await handle.close();
  }
}

/**
 * Throws when `mode` has a bit of `mask` (never on Windows, whose modes do not say this).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_KEY_FILE_MODE`, naming the file and `chmod 600 <file>`.
 * @example
 * ```ts
 * checkPrivateMode(file, 'the admin token', (await stat(file)).mode);
 * ```
 */
export function checkPrivateMode(
  path: string,
  what: string,
  mode: number,
  mask: number = PRIVATE_MODE_MASK,
): void {
  if (process.platform === 'win32' || (mode & mask) === 0) return;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  throw new IdpError(
    'PSSO_ERR_IDP_KEY_FILE_MODE',
    `${what} ${path} is readable or writable by other users (mode ${octal}): chmod 600 ${path}`,
  );
}
