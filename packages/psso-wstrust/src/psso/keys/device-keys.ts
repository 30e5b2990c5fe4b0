/**
 * Platform SSO device keys: an ES256 (P-256) signing key and a P-256 encryption key, generated once
 * and kept in a JSON key file readable by its owner only (mode 0600, written atomically).
 *
 * The key file is `{ "version": 1, "signing": <private EC JWK>, "encryption": <private EC JWK> }`,
 * plus an optional `"hpkeEncryption": { "alg": <HPKE suite>, "jwk": <private JWK> }` (hpke-key.ts).
 * A `kid` is the standard base64 (with `+`, `/`, `=`) of SHA-256 over the ANSI X9.63 uncompressed
 * public key `04‖X‖Y`, as the system computes it.
 *
 * @module
 */

import type { JsonWebKey, KeyObject } from 'node:crypto';
import { createECDH, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { HpkeSuiteName } from '../../jose/hpke/suites.js';
import { asP256Public, keyId, x963 } from '../../jose/key-id.js';
import {
  generateHpkeDeviceKey,
  type HpkeDeviceKey,
  parseHpkeDeviceKey,
  serializeHpkeDeviceKey,
} from './hpke-key.js';

/** The public members of a P-256 JWK, with its `kid`. */
export interface EcPublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
}

/** One device key pair. */
export interface DeviceKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Standard base64 of SHA-256 over the X9.63 public key. */
  readonly kid: string;
  /** The public key as a JWK (with `kid`). */
  readonly publicJwk: EcPublicJwk;
}

/**
 * A software stand-in for the user's Secure Enclave key (§3.9): a P-256 key kept in the key file,
 * marked `"storage": "software"` there (see `user-key.ts`).
 */
export interface UserSecureEnclaveKey extends DeviceKey {
  readonly storage: 'software';
}

/** The device's signing (ES256) and encryption (ECDH-ES P-256) keys. */
export interface DeviceKeys {
  readonly signing: DeviceKey;
  readonly encryption: DeviceKey;
  /** The user's Secure Enclave key stand-in, when one was added (`addUserSecureEnclaveKey`). */
  readonly userSecureEnclaveKey?: UserSecureEnclaveKey;
  /** Platform SSO 2.0: an HPKE encryption key; when present, responses are HPKE (see hpke-key). */
  readonly hpkeEncryption?: HpkeDeviceKey;
}

const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * The public JWK (`kty`, `crv`, `x`, `y`, `kid`) of a P-256 key.
 *
 * @example
 * ```ts
 * const jwks = { keys: [publicJwk(keys.signing.publicKey)] };
 * ```
 */
export function publicJwk(key: KeyObject): EcPublicJwk {
  const { x, y } = asP256Public(key).export({ format: 'jwk' });
  if (x === undefined || y === undefined) throw new TypeError('expected a P-256 key');
  return { kty: 'EC', crv: 'P-256', x, y, kid: keyId(key) };
}

/**
 * Builds a {@link DeviceKey} from a private P-256 key.
 *
 * @throws {TypeError} when the key is not a private P-256 key.
 * @example
 * ```ts
 * const key = deviceKeyFromPrivateKey(createPrivateKey({ key: jwk, format: 'jwk' }));
 * ```
 */
export function deviceKeyFromPrivateKey(privateKey: KeyObject): DeviceKey {
  if (privateKey.type !== 'private') throw new TypeError('expected a private P-256 key');
  const publicKey = asP256Public(privateKey);
  return { privateKey, publicKey, kid: keyId(publicKey), publicJwk: publicJwk(publicKey) };
}

/**
 * Generates a fresh signing key and encryption key (both P-256).
 *
 * @example
 * ```ts
 * const keys = generateDeviceKeys();
 * ```
 */
export function generateDeviceKeys(options: { hpkeSuite?: HpkeSuiteName } = {}): DeviceKeys {
  const make = () =>
    deviceKeyFromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const hpke = options.hpkeSuite;
  return {
    signing: make(),
    encryption: make(),
    ...(hpke === undefined ? {} : { hpkeEncryption: generateHpkeDeviceKey(hpke) }),
  };
}

const keysFileError = (message: string, cause?: unknown): ConfigError =>
  new ConfigError('PSSO_ERR_KEYS_FILE', message, cause === undefined ? undefined : { cause });

/**
 * The key file text of `keys` (private JWKs; the user key marked `"storage": "software"`).
 *
 * @example
 * ```ts
 * await writeFile(path, serializeDeviceKeys(keys), { mode: 0o600 });
 * ```
 */
export function serializeDeviceKeys(keys: DeviceKeys): string {
  const jwk = (k: DeviceKey) => {
    const { kty, crv, x, y, d } = k.privateKey.export({ format: 'jwk' });
    return { kty, crv, x, y, d };
  };
  const user = keys.userSecureEnclaveKey;
  const hpke = keys.hpkeEncryption;
  const file = {
    version: 1,
    signing: jwk(keys.signing),
    encryption: jwk(keys.encryption),
    ...(user === undefined ? {} : { userSecureEnclaveKey: { ...jwk(user), storage: 'software' } }),
    ...(hpke === undefined ? {} : { hpkeEncryption: serializeHpkeDeviceKey(hpke) }),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}
const serialize = serializeDeviceKeys;

function parseKeyFile(text: string, path: string): DeviceKeys {
  const corrupt = () => keysFileError(`the device key file ${path} is corrupt`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw corrupt(); // the SyntaxError would quote the file (private keys): dropped on purpose
  }
  if (typeof json !== 'object' || json === null) throw corrupt();
  const { version, signing, encryption, userSecureEnclaveKey, hpkeEncryption } = json as Record<
    string,
    unknown
  >;
  if (version !== 1) throw corrupt();
  const key = (value: unknown): DeviceKey => {
    if (typeof value !== 'object' || value === null) throw corrupt();
    const { kty, crv, x, y, d } = value as Record<string, unknown>;
    if (kty !== 'EC' || crv !== 'P-256') throw corrupt();
    if (typeof x !== 'string' || typeof y !== 'string' || typeof d !== 'string') throw corrupt();
    try {
      const jwk: JsonWebKey = { kty, crv, x, y, d };
      const key = deviceKeyFromPrivateKey(createPrivateKey({ key: jwk, format: 'jwk' }));
      // node:crypto trusts the JWK's x/y: check that they are the public key of d.
      const scalar = Buffer.from(d, 'base64url');
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(scalar);
      if (scalar.length !== 32 || !ecdh.getPublicKey().equals(x963(key.publicKey))) throw corrupt();
      return key;
    } catch {
      throw corrupt(); // never chain: the cause could describe key material
    }
  };
  const hpke = hpkeEncryption === undefined ? undefined : parseHpkeDeviceKey(hpkeEncryption);
  if (hpkeEncryption !== undefined && hpke === undefined) throw corrupt();
  const keys = {
    signing: key(signing),
    encryption: key(encryption),
    ...(hpke === undefined ? {} : { hpkeEncryption: hpke }),
  };
  if (userSecureEnclaveKey === undefined) return keys;
  // Only a software stand-in can live in a file: anything else is not ours to read.
  if ((userSecureEnclaveKey as { storage?: unknown } | null)?.storage !== 'software')
    throw corrupt();
  return { ...keys, userSecureEnclaveKey: { ...key(userSecureEnclaveKey), storage: 'software' } };
}

/**
 * Loads the device keys from `path`, or generates them and writes the file (mode 0600, parent
 * folder created 0700, written atomically; when two processes race, both end with the same keys).
 * `hpkeSuite` adds an HPKE encryption key to a NEW file (an existing file is returned as it is).
 *
 * @throws {ConfigError} `PSSO_ERR_KEYS_FILE` when the file is readable by group or others, is not
 * a regular file, is corrupt (the message never quotes it), or cannot be read or written.
 * @example
 * ```ts
 * const keys = await loadOrCreateDeviceKeys('/var/lib/psso/device-keys.json');
 * console.log(keys.signing.kid);
 * ```
 */
export async function loadOrCreateDeviceKeys(
  path: string,
  options: { hpkeSuite?: HpkeSuiteName } = {},
): Promise<DeviceKeys> {
  const existing = await loadDeviceKeys(path);
  if (existing !== undefined) return existing;
  const keys = generateDeviceKeys(options);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(serialize(keys), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path); // fails if another process created the file meanwhile
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        const winner = await loadDeviceKeys(path);
        if (winner !== undefined) return winner;
      }
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
      await rename(temp, path); // file systems without hard links
    }
  } catch (e) {
    throw e instanceof ConfigError
      ? e
      : keysFileError(`cannot write the device key file ${path}`, e);
  } finally {
    await rm(temp, { force: true });
  }
  return keys;
}

/**
 * Loads the device keys from `path`, or returns `undefined` when the file does not exist.
 *
 * @throws {ConfigError} `PSSO_ERR_KEYS_FILE` as {@link loadOrCreateDeviceKeys}.
 * @example
 * ```ts
 * const keys = await loadDeviceKeys(path);
 * if (keys === undefined) console.log('not registered yet');
 * ```
 */
export async function loadDeviceKeys(path: string): Promise<DeviceKeys | undefined> {
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw keysFileError(`the device key file ${path} is not a regular file`);
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0)
        throw keysFileError(
          `the device key file ${path} is readable by others: chmod 600 it or delete it`,
        );
      if (info.size > MAX_KEY_FILE_BYTES)
        throw keysFileError(`the device key file ${path} is corrupt`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e instanceof ConfigError
      ? e
      : keysFileError(`cannot read the device key file ${path}`, e);
  }
  return parseKeyFile(text, path);
}

export { keyId, x963 } from '../../jose/key-id.js';
