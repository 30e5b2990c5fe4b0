/**
 * A registered device's encryption key and the response encryption it declared
 * (docs/PLATFORM-SSO.md §3.4, §3.7): `ECDH-ES` (P-256, the default) or one HPKE suite of Platform SSO
 * 2.0 with its key type (P-256, P-384 or X25519). Stored in `devices.encryption_alg`.
 *
 * @module
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { IdpError } from 'psso-wstrust';
import {
  type HpkeSuiteName,
  hpkeCipherSuite,
  hpkeKeyId,
  hpkeKeyType,
  isHpkeSuite,
} from 'psso-wstrust/jose';

/**
 * The error for a device or user key registration that cannot be accepted: what an
 * administrator or a device sent, never the IdP's fault (`/psso/devices` and `/psso/user-keys`
 * answer it 400).
 *
 * @example
 * ```ts
 * throw invalidRegistration('a public JWK is required (it has a private part)');
 * ```
 */
export function invalidRegistration(message: string): IdpError {
  return new IdpError('PSSO_ERR_IDP_REGISTRATION_INVALID', message);
}

/**
 * A JWK given as an object or as JSON text.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_REGISTRATION_INVALID` for text that is not JSON, or a value
 *   that is not an object.
 * @example
 * ```ts
 * const o = jwkObject('{"kty":"EC"}'); // { kty: 'EC' }
 * ```
 */
export function jwkObject(jwk: unknown): Record<string, unknown> {
  let value = jwk;
  if (typeof jwk === 'string') {
    try {
      value = JSON.parse(jwk) as unknown;
    } catch {
      throw invalidRegistration('the JWK is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidRegistration('a JWK object is required');
  const o = value as Record<string, unknown>;
  if (o.d !== undefined)
    throw invalidRegistration('a public JWK is required (it has a private part)');
  return o;
}

/** `ECDH-ES` (A256GCM, apv) or an HPKE suite (`dir`, kid). */
export type DeviceEncryptionAlg = 'ECDH-ES' | HpkeSuiteName;

/**
 * Parses the declared encryption algorithm (`undefined` or `''` = `ECDH-ES`).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_REGISTRATION_INVALID` for anything else.
 * @example
 * ```ts
 * deviceEncryptionAlg(body.encryptionAlg); // 'HPKE-P384-SHA384-A256GCM'
 * ```
 */
export function deviceEncryptionAlg(value: unknown): DeviceEncryptionAlg {
  if (value === undefined || value === null || value === '' || value === 'ECDH-ES')
    return 'ECDH-ES';
  if (isHpkeSuite(value)) return value;
  throw invalidRegistration(
    'encryptionAlg must be ECDH-ES, HPKE-P256-SHA256-A256GCM, HPKE-P384-SHA384-A256GCM or HPKE-X25519-SHA256-ChaCha20Poly1305',
  );
}

/**
 * Parses an HPKE device public key (object or JSON text) for a suite and returns it with its
 * `kid` (std-b64 SHA-256 of the X9.63 point, or of the raw X25519 key).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_REGISTRATION_INVALID` for a private JWK, a malformed JWK or a
 *   key of another type.
 * @example
 * ```ts
 * const { key, kid } = hpkePublicKey(jwk, 'HPKE-X25519-SHA256-ChaCha20Poly1305');
 * ```
 */
export function hpkePublicKey(jwk: unknown, alg: HpkeSuiteName): { key: KeyObject; kid: string } {
  const { kty, crv, x, y } = jwkObject(jwk);
  if (typeof kty !== 'string' || typeof crv !== 'string' || typeof x !== 'string')
    throw invalidRegistration('a P-256, P-384 or X25519 JWK is required');
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: { kty, crv, x, ...(typeof y === 'string' ? { y } : {}) },
      format: 'jwk',
    });
  } catch {
    throw invalidRegistration('the encryption JWK is not a valid public key');
  }
  const keyType = hpkeCipherSuite(alg).keyType;
  if (hpkeKeyType(key) !== keyType)
    throw invalidRegistration(`the encryption key is not a ${keyType} key (${alg})`);
  return { key, kid: hpkeKeyId(key) };
}
