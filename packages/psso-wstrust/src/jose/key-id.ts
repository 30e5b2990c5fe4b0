/**
 * Platform SSO key identifiers: the X9.63 form of a P-256 public key and the `kid` derived from
 * it (standard base64 of its SHA-256), shared by the client and the reference IdP.
 *
 * @module
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/** The public half of a P-256 key (a private key is accepted); anything else is a TypeError. */
export function asP256Public(key: KeyObject): KeyObject {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.type !== 'public' || pub.asymmetricKeyType !== 'ec')
    throw new TypeError('expected a P-256 key');
  if (pub.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new TypeError('expected a P-256 key');
  return pub;
}

/**
 * The ANSI X9.63 uncompressed form `0x04‖X‖Y` (65 bytes) of a P-256 public key (a private key is
 * accepted and its public half used).
 *
 * @throws {TypeError} when the key is not a P-256 key.
 * @example
 * ```ts
 * x963(keys.encryption.publicKey).length; // 65
 * ```
 */
export function x963(publicKey: KeyObject): Buffer {
  const jwk = asP256Public(publicKey).export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  if (x.length !== 32 || y.length !== 32) throw new TypeError('expected a P-256 key');
  return Buffer.concat([Buffer.from([0x04]), x, y]);
}

/**
 * The Platform SSO key identifier: standard base64 (with padding) of SHA-256 over {@link x963}.
 *
 * @example
 * ```ts
 * const header = { alg: 'ES256', kid: keyId(keys.signing.publicKey) };
 * ```
 */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(x963(publicKey)).digest('base64');
}
