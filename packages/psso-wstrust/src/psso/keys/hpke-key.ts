/**
 * The optional HPKE device encryption key of a Platform SSO 2.0 device (docs/PLATFORM-SSO.md §3.4,
 * §3.7): a P-256, P-384 or X25519 key bound to one suite, kept in the device key file as
 * `"hpkeEncryption": {"alg": "<suite>", "jwk": <private JWK>}`, and the `jwe_crypto` the login and
 * refresh JWTs then carry: `{"alg": <suite>, "enc": "dir", "kid": <hpkeKeyId>}`.
 *
 * @module
 */
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import {
  assertSuiteKey,
  type HpkeSuiteName,
  hpkeCipherSuite,
  hpkeKeyId,
  isHpkeSuite,
} from '../../jose/hpke/suites.js';

/** A device HPKE encryption key and its suite. */
export interface HpkeDeviceKey {
  readonly alg: HpkeSuiteName;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `jwe_crypto.kid`: std-b64 SHA-256 of the X9.63 key (P-256/P-384) or the raw key (X25519). */
  readonly kid: string;
  /** The public JWK (registration with the IdP). */
  readonly publicJwk: Readonly<Record<string, string>>;
}

/**
 * Builds an {@link HpkeDeviceKey} from a private key of the suite's key type.
 *
 * @throws {TypeError} when the key is not a private key of the suite's type.
 * @example
 * ```ts
 * const key = hpkeDeviceKey('HPKE-X25519-SHA256-ChaCha20Poly1305', generateKeyPairSync('x25519').privateKey);
 * ```
 */
export function hpkeDeviceKey(alg: HpkeSuiteName, privateKey: KeyObject): HpkeDeviceKey {
  if (!isHpkeSuite(alg)) throw new TypeError('unknown HPKE suite');
  if (privateKey.type !== 'private') throw new TypeError('expected a private key');
  assertSuiteKey(alg, privateKey);
  const publicKey = createPublicKey(privateKey);
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const publicJwk: Record<string, string> = {};
  for (const [k, v] of Object.entries({ kty, crv, x, y })) if (v !== undefined) publicJwk[k] = v;
  return { alg, privateKey, publicKey, kid: hpkeKeyId(publicKey), publicJwk };
}

/**
 * Generates a fresh HPKE device key for a suite.
 *
 * @example
 * ```ts
 * const keys = { ...generateDeviceKeys(), hpkeEncryption: generateHpkeDeviceKey('HPKE-P384-SHA384-A256GCM') };
 * ```
 */
export function generateHpkeDeviceKey(alg: HpkeSuiteName): HpkeDeviceKey {
  const { keyType } = hpkeCipherSuite(alg);
  const pair =
    keyType === 'X25519'
      ? generateKeyPairSync('x25519')
      : generateKeyPairSync('ec', { namedCurve: keyType });
  return hpkeDeviceKey(alg, pair.privateKey);
}

/**
 * The key file member of an HPKE key (the private JWK; the file is mode 0600).
 *
 * @example
 * ```ts
 * const member = serializeHpkeDeviceKey(keys.hpkeEncryption); // { alg, jwk }
 * ```
 */
export function serializeHpkeDeviceKey(key: HpkeDeviceKey): { alg: string; jwk: object } {
  const { kty, crv, x, y, d } = key.privateKey.export({ format: 'jwk' });
  return { alg: key.alg, jwk: { kty, crv, x, ...(y === undefined ? {} : { y }), d } };
}

/**
 * Parses the key file member; `undefined` when malformed (the caller reports the file as corrupt
 * without quoting it). The public part must be the one of `d`.
 *
 * @example
 * ```ts
 * const key = parseHpkeDeviceKey(json.hpkeEncryption);
 * ```
 */
export function parseHpkeDeviceKey(value: unknown): HpkeDeviceKey | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { alg, jwk } = value as { alg?: unknown; jwk?: unknown };
  if (!isHpkeSuite(alg) || typeof jwk !== 'object' || jwk === null) return undefined;
  const { kty, crv, x, y, d } = jwk as Record<string, unknown>;
  const { keyType } = hpkeCipherSuite(alg);
  if (typeof x !== 'string' || typeof d !== 'string' || crv !== keyType) return undefined;
  try {
    if (keyType === 'X25519') {
      if (kty !== 'OKP') return undefined;
      const key = hpkeDeviceKey(
        alg,
        createPrivateKey({ key: { kty, crv: keyType, x, d }, format: 'jwk' }),
      );
      return key.publicJwk.x === x ? key : undefined; // the public key is derived from d
    }
    if (kty !== 'EC' || typeof y !== 'string') return undefined;
    const key = hpkeDeviceKey(
      alg,
      createPrivateKey({ key: { kty, crv: keyType, x, y, d }, format: 'jwk' }),
    );
    // node:crypto trusts the JWK's x/y for EC: check that they are the public key of d.
    const ecdh = createECDH(keyType === 'P-256' ? 'prime256v1' : 'secp384r1');
    ecdh.setPrivateKey(Buffer.from(d, 'base64url'));
    const point = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(x, 'base64url'),
      Buffer.from(y, 'base64url'),
    ]);
    return ecdh.getPublicKey().equals(point) ? key : undefined;
  } catch {
    return undefined; // never chain: the cause could describe key material
  }
}

/**
 * The `jwe_crypto` claim of a login or refresh JWT from an HPKE device.
 *
 * @example
 * ```ts
 * buildLoginJwt({ ...params, jweCrypto: hpkeJweCrypto(keys.hpkeEncryption) });
 * ```
 */
export function hpkeJweCrypto(key: HpkeDeviceKey): { alg: string; enc: string; kid: string } {
  return { alg: key.alg, enc: 'dir', kid: key.kid };
}
