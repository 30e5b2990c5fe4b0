/**
 * The reference IdP's login request encryption key (docs/PLATFORM-SSO.md §3.10): a P-256 key a Mac
 * encrypts the password to (`loginRequestEncryptionPublicKey`) in an encrypted embedded
 * assertion. Kept in `<data>/login-encryption-key.pem` (PKCS#8, mode 0600), created when absent
 * before any worker starts, published in `GET /psso/jwks` as a separate key with `use` `enc` and
 * `alg` `ECDH-ES` (clients verifying id_tokens ignore it: it is not a `sig` key).
 *
 * @module
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { x963 } from 'psso-wstrust/jose';
import { createFileOnce, dataDirError, ensureDataDir } from '../store/data-dir.js';
import { readSecretFile } from '../store/secret-file.js';
import type { TokenEndpointDeps } from './token.js';

/** The key file's name inside the data folder. */
export const LOGIN_ENCRYPTION_KEY_FILE = 'login-encryption-key.pem';

/** The IdP's login request encryption key with what is derived from it. */
export interface LoginRequestEncryptionKey {
  readonly privateKey: KeyObject;
  /** The RFC 7638 thumbprint of the public JWK. */
  readonly kid: string;
  /** The X9.63 point `04‖X‖Y` (the second field of a correct `apv`). */
  readonly x963: Buffer;
  /** `{kty, crv, x, y, kid, use: 'enc', alg: 'ECDH-ES'}`: the JWKS entry and the discovery value. */
  readonly publicJwk: JWK;
  /** The first `apv` field an assertion must carry; default `APPLEEMBEDDED`. */
  readonly apvPrefix?: string;
}

/**
 * Derives the published form of a P-256 private key.
 *
 * @throws {TypeError} when the key is not a P-256 private key.
 * @example
 * ```ts
 * const key = await loginRequestEncryptionKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
 * key.publicJwk.use; // 'enc'
 * ```
 */
export async function loginRequestEncryptionKeyOf(
  privateKey: KeyObject,
): Promise<LoginRequestEncryptionKey> {
  if (privateKey.type !== 'private') throw new TypeError('a P-256 private key is required');
  const point = x963(privateKey);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const base = { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
  const kid = await calculateJwkThumbprint(base, 'sha256');
  return {
    privateKey,
    kid,
    x963: point,
    publicJwk: { ...base, kid, use: 'enc', alg: 'ECDH-ES' },
  };
}

/**
 * The public JWK to advertise as `loginRequestEncryptionPublicKey` (for the discovery document),
 * or `undefined` when the token endpoint has no such key.
 *
 * @example
 * ```ts
 * const jwk = loginRequestEncryptionPublicKey(tokenDeps);
 * if (jwk !== undefined) doc.loginRequestEncryptionPublicKey = jwk;
 * ```
 */
export function loginRequestEncryptionPublicKey(
  deps: Pick<TokenEndpointDeps, 'loginRequestEncryption'>,
): JWK | undefined {
  const jwk = deps.loginRequestEncryption?.publicJwk;
  return jwk === undefined ? undefined : { ...jwk };
}

/**
 * Loads `<dataDir>/login-encryption-key.pem`, creating it (a fresh P-256 key, mode 0600) when
 * absent. Race-free like the server nonce key: written to a temporary file and published with a
 * hard link, so concurrent processes converge on one key.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the file cannot be created or read or does not
 *   hold a P-256 private key; `PSSO_ERR_IDP_KEY_FILE_MODE` when other users may read or write it.
 * @example
 * ```ts
 * const key = await loadOrCreateLoginEncryptionKey(dataDir);
 * ```
 */
export async function loadOrCreateLoginEncryptionKey(
  dataDir: string,
): Promise<LoginRequestEncryptionKey> {
  const dir = ensureDataDir(dataDir);
  const file = join(dir, LOGIN_ENCRYPTION_KEY_FILE);
  const existing = await readKey(file);
  if (existing !== undefined) return loginRequestEncryptionKeyOf(existing);
  // Atomic and race-free: concurrent starts (workers, hosts on one folder) converge on one key.
  await createFileOnce(
    file,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    }) as string,
    0o600,
  );
  const key = await readKey(file);
  if (key === undefined) throw dataDirError(`cannot read ${file}`);
  return loginRequestEncryptionKeyOf(key);
}

async function readKey(file: string): Promise<KeyObject | undefined> {
  const pem = await readSecretFile(file, 'the login request encryption key');
  if (pem === undefined) return undefined;
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw dataDirError(`${file} does not hold a private key`, e);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw dataDirError(`${file} does not hold a P-256 key`);
  return key;
}
