/**
 * The three HPKE suites of Platform SSO 2.0 login responses (docs/PLATFORM-SSO.md §3.4, §3.7;
 * docs/PSSO-PEERS.md §4.1), each paired with `enc` `dir`, and the key plumbing they need: the suite's
 * RFC 9180 cipher suite (from `@hpke/*`, never hand-rolled), node `KeyObject` ↔ WebCrypto key
 * conversion, and the key identifier the device sends in `jwe_crypto.kid`.
 *
 * | `alg` | KEM | KDF | AEAD |
 * |---|---|---|---|
 * | `HPKE-P256-SHA256-A256GCM` | DHKEM(P-256, HKDF-SHA256) 0x0010 | HKDF-SHA256 0x0001 | AES-256-GCM 0x0002 |
 * | `HPKE-P384-SHA384-A256GCM` | DHKEM(P-384, HKDF-SHA384) 0x0011 | HKDF-SHA384 0x0002 | AES-256-GCM 0x0002 |
 * | `HPKE-X25519-SHA256-ChaCha20Poly1305` | DHKEM(X25519, HKDF-SHA256) 0x0020 | HKDF-SHA256 0x0001 | ChaCha20-Poly1305 0x0003 |
 *
 * The `kid` is the standard base64 (with padding) of SHA-256 over the public key as RFC 9180
 * serializes it: the X9.63 uncompressed point `04‖X‖Y` for P-256 / P-384 (as Apple documents for
 * the device encryption key), and the raw 32-byte key for X25519 (our choice: Apple documents no
 * X25519 form; it is the key's only standard encoding).
 *
 * @module
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import {
  Aes256Gcm,
  CipherSuite,
  DhkemP256HkdfSha256,
  DhkemP384HkdfSha384,
  DhkemX25519HkdfSha256,
  HkdfSha256,
  HkdfSha384,
} from '@hpke/core';

/** The HPKE `alg` values a login response may carry (always with `enc` `dir`). */
export const HPKE_SUITES = [
  'HPKE-P256-SHA256-A256GCM',
  'HPKE-P384-SHA384-A256GCM',
  'HPKE-X25519-SHA256-ChaCha20Poly1305',
] as const;

/** One of {@link HPKE_SUITES}. */
export type HpkeSuiteName = (typeof HPKE_SUITES)[number];

/** The key type of each suite: an EC curve (JWK `crv`) or X25519 (OKP). */
export type HpkeKeyType = 'P-256' | 'P-384' | 'X25519';

interface SuiteInfo {
  readonly keyType: HpkeKeyType;
  readonly ids: { readonly kem: number; readonly kdf: number; readonly aead: number };
  readonly make: () => CipherSuite;
}

const SUITES: Readonly<Record<HpkeSuiteName, SuiteInfo>> = {
  'HPKE-P256-SHA256-A256GCM': {
    keyType: 'P-256',
    ids: { kem: 0x0010, kdf: 0x0001, aead: 0x0002 },
    make: () =>
      new CipherSuite({
        kem: new DhkemP256HkdfSha256(),
        kdf: new HkdfSha256(),
        aead: new Aes256Gcm(),
      }),
  },
  'HPKE-P384-SHA384-A256GCM': {
    keyType: 'P-384',
    ids: { kem: 0x0011, kdf: 0x0002, aead: 0x0002 },
    make: () =>
      new CipherSuite({
        kem: new DhkemP384HkdfSha384(),
        kdf: new HkdfSha384(),
        aead: new Aes256Gcm(),
      }),
  },
  'HPKE-X25519-SHA256-ChaCha20Poly1305': {
    keyType: 'X25519',
    ids: { kem: 0x0020, kdf: 0x0001, aead: 0x0003 },
    make: () =>
      new CipherSuite({
        kem: new DhkemX25519HkdfSha256(),
        kdf: new HkdfSha256(),
        aead: new Chacha20Poly1305(),
      }),
  },
};

const cache = new Map<HpkeSuiteName, CipherSuite>();

/**
 * Whether `alg` is one of the three HPKE suite names.
 *
 * @example
 * ```ts
 * if (isHpkeSuite(header.alg)) await decryptHpke(...);
 * ```
 */
export function isHpkeSuite(alg: unknown): alg is HpkeSuiteName {
  return typeof alg === 'string' && Object.hasOwn(SUITES, alg);
}

/**
 * The RFC 9180 cipher suite (`@hpke/core` `CipherSuite`) of a suite name, and its identifiers.
 *
 * @example
 * ```ts
 * const { suite, ids } = hpkeCipherSuite('HPKE-P256-SHA256-A256GCM'); // ids.kem === 0x0010
 * ```
 */
export function hpkeCipherSuite(name: HpkeSuiteName): {
  readonly suite: CipherSuite;
  readonly ids: SuiteInfo['ids'];
  readonly keyType: HpkeKeyType;
} {
  const info = SUITES[name];
  let suite = cache.get(name);
  if (suite === undefined) {
    suite = info.make();
    cache.set(name, suite);
  }
  return { suite, ids: info.ids, keyType: info.keyType };
}

/**
 * The key type of a node key (public or private): `P-256`, `P-384`, `X25519`, or `undefined`.
 *
 * @example
 * ```ts
 * hpkeKeyType(generateKeyPairSync('x25519').publicKey); // 'X25519'
 * ```
 */
export function hpkeKeyType(key: KeyObject): HpkeKeyType | undefined {
  if (key.asymmetricKeyType === 'x25519') return 'X25519';
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : undefined;
}

/**
 * The suite a key belongs to (one suite per key type).
 *
 * @throws {TypeError} when the key is not P-256, P-384 or X25519.
 * @example
 * ```ts
 * hpkeSuiteForKey(keys.hpkeEncryption.publicKey); // 'HPKE-P384-SHA384-A256GCM'
 * ```
 */
export function hpkeSuiteForKey(key: KeyObject): HpkeSuiteName {
  const type = hpkeKeyType(key);
  const name = HPKE_SUITES.find((s) => SUITES[s].keyType === type);
  if (name === undefined) throw new TypeError('expected a P-256, P-384 or X25519 key');
  return name;
}

/**
 * Checks that a key is of the suite's key type.
 *
 * @throws {TypeError} otherwise.
 * @example
 * ```ts
 * assertSuiteKey('HPKE-X25519-SHA256-ChaCha20Poly1305', key);
 * ```
 */
export function assertSuiteKey(name: HpkeSuiteName, key: KeyObject): void {
  if (hpkeKeyType(key) !== SUITES[name].keyType)
    throw new TypeError(`the key is not a ${SUITES[name].keyType} key (${name})`);
}

/**
 * The public key as RFC 9180 `SerializePublicKey` writes it: `04‖X‖Y` (65 or 97 bytes) for
 * P-256 / P-384, the raw 32 bytes for X25519.
 *
 * @throws {TypeError} for any other key.
 * @example
 * ```ts
 * hpkePublicKeyBytes(key).length; // 65, 97 or 32
 * ```
 */
export function hpkePublicKeyBytes(key: KeyObject): Buffer {
  const type = hpkeKeyType(key);
  if (type === undefined) throw new TypeError('expected a P-256, P-384 or X25519 key');
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  if (type === 'X25519') return x;
  return Buffer.concat([Buffer.from([0x04]), x, Buffer.from(jwk.y ?? '', 'base64url')]);
}

/**
 * The `jwe_crypto.kid` of an HPKE device encryption key: standard base64 (with padding) of
 * SHA-256 over {@link hpkePublicKeyBytes}.
 *
 * @throws {TypeError} for a key that is not P-256, P-384 or X25519.
 * @example
 * ```ts
 * const jweCrypto = { alg: suite, enc: 'dir', kid: hpkeKeyId(keys.hpkeEncryption.publicKey) };
 * ```
 */
export function hpkeKeyId(key: KeyObject): string {
  return createHash('sha256').update(hpkePublicKeyBytes(key)).digest('base64');
}

/**
 * Imports a node key into the suite's KEM (a WebCrypto key `@hpke/core` accepts).
 *
 * @throws {TypeError} when the key is not of the suite's key type.
 * @example
 * ```ts
 * const recipientKey = await toHpkeKey('HPKE-P256-SHA256-A256GCM', keys.hpkeEncryption.privateKey);
 * ```
 */
export async function toHpkeKey(name: HpkeSuiteName, key: KeyObject): Promise<CryptoKey> {
  assertSuiteKey(name, key);
  const { kty, crv, x, y, d } = key.export({ format: 'jwk' });
  const jwk: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    kty,
    crv,
    x,
    y,
    d: key.type === 'private' ? d : undefined,
  }))
    if (v !== undefined) jwk[k] = v;
  return hpkeCipherSuite(name).suite.kem.importKey('jwk', jwk, key.type !== 'private');
}
