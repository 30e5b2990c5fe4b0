/**
 * A registered device's encryption key and the response encryption it declared
 * (docs/PLATFORM-SSO.md §3.4, §3.7): `ECDH-ES` (P-256, the default) or one HPKE suite of Platform SSO
 * 2.0 with its key type (P-256, P-384 or X25519). Stored in `devices.encryption_alg`.
 *
 * @module
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  assertSuiteKey,
  type HpkeSuiteName,
  hpkeKeyId,
  isHpkeSuite,
} from '../../jose/hpke/suites.js';

/** `ECDH-ES` (A256GCM, apv) or an HPKE suite (`dir`, kid). */
export type DeviceEncryptionAlg = 'ECDH-ES' | HpkeSuiteName;

/**
 * Parses the declared encryption algorithm (`undefined` or `''` = `ECDH-ES`).
 *
 * @throws {TypeError} for anything else.
 * @example
 * ```ts
 * deviceEncryptionAlg(body.encryptionAlg); // 'HPKE-P384-SHA384-A256GCM'
 * ```
 */
export function deviceEncryptionAlg(value: unknown): DeviceEncryptionAlg {
  if (value === undefined || value === null || value === '' || value === 'ECDH-ES')
    return 'ECDH-ES';
  if (isHpkeSuite(value)) return value;
  throw new TypeError(
    'encryptionAlg must be ECDH-ES, HPKE-P256-SHA256-A256GCM, HPKE-P384-SHA384-A256GCM or HPKE-X25519-SHA256-ChaCha20Poly1305',
  );
}

/**
 * Parses an HPKE device public key (object or JSON text) for a suite and returns it with its
 * `kid` (std-b64 SHA-256 of the X9.63 point, or of the raw X25519 key).
 *
 * @throws {TypeError} for a private JWK, a malformed JWK or a key of another type.
 * @example
 * ```ts
 * const { key, kid } = hpkePublicKey(jwk, 'HPKE-X25519-SHA256-ChaCha20Poly1305');
 * ```
 */
export function hpkePublicKey(jwk: unknown, alg: HpkeSuiteName): { key: KeyObject; kid: string } {
  const value = typeof jwk === 'string' ? (JSON.parse(jwk) as unknown) : jwk;
  if (typeof value !== 'object' || value === null) throw new TypeError('a JWK object is required');
  const o = value as Record<string, unknown>;
  if (o.d !== undefined) throw new TypeError('a public JWK is required (it has a private part)');
  const { kty, crv, x, y } = o;
  if (typeof kty !== 'string' || typeof crv !== 'string' || typeof x !== 'string')
    throw new TypeError('a P-256, P-384 or X25519 JWK is required');
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty, crv, x, ...(typeof y === 'string' ? { y } : {}) },
      format: 'jwk',
    });
  } catch {
    throw new TypeError('the encryption JWK is not a valid public key');
  }
  assertSuiteKey(alg, key);
  return { key, kid: hpkeKeyId(key) };
}
