/**
 * The PartyVInfo of the encrypted embedded assertion (docs/PLATFORM-SSO.md §3.5 "Encrypted embedded
 * assertion apv", §3.10): `len‖loginRequestEncryptionAPVPrefix ‖ len‖X9.63(loginRequestEncryption
 * PublicKey) ‖ len‖UTF-8(server nonce)`, each length 4 bytes big-endian. Apple's example decodes
 * to 13 `APPLEEMBEDDED`, 65 `04…`, 110 `AwAB…` (the server nonce, not the context nonce).
 *
 * Also the one check of the IdP's login request encryption key as a client receives it (a public
 * P-256 EC JWK), shared by the configuration loader and the assertion builder.
 *
 * @module
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { x963 } from './key-id.js';
import { encodePartyInfo, type PartyInfo, parsePartyInfo } from './party-info.js';

/** The default first `apv` field (`loginRequestEncryptionAPVPrefix` unset), as in Apple's example. */
export const EMBEDDED_APV_PREFIX = 'APPLEEMBEDDED';

/** The three fields of an embedded-assertion `apv`, as raw bytes. */
export interface EmbeddedApvFields {
  readonly prefix: Buffer;
  /** The X9.63 point of the key the assertion is encrypted to. */
  readonly key: Buffer;
  /** UTF-8 of the server nonce. */
  readonly serverNonce: Buffer;
}

/**
 * Builds the embedded-assertion PartyVInfo.
 *
 * @throws {TypeError} when the prefix or the server nonce is empty, or the key is not P-256.
 * @example
 * ```ts
 * const apv = embeddedApv('APPLEEMBEDDED', idpKey, serverNonce);
 * apv.bytes.subarray(0, 17).toString('latin1'); // '\0\0\0\rAPPLEEMBEDDED'
 * ```
 */
export function embeddedApv(prefix: string, key: KeyObject, serverNonce: string): PartyInfo {
  if (typeof prefix !== 'string' || prefix === '')
    throw new TypeError('the apv prefix must be a non-empty string');
  if (typeof serverNonce !== 'string' || serverNonce === '')
    throw new TypeError('the server nonce must be a non-empty string');
  const bytes = encodePartyInfo([
    Buffer.from(prefix, 'utf8'),
    x963(key),
    Buffer.from(serverNonce, 'utf8'),
  ]);
  return { bytes, base64url: bytes.toString('base64url') };
}

/**
 * Splits an embedded-assertion `apv` (base64url text) into its three fields; `undefined` unless
 * it is canonical base64url holding exactly three length-prefixed fields with nothing after them.
 *
 * @example
 * ```ts
 * const f = parseEmbeddedApv(header.apv);
 * if (f === undefined || !f.key.equals(x963(ourKey))) refuse();
 * ```
 */
export function parseEmbeddedApv(apv: unknown): EmbeddedApvFields | undefined {
  if (typeof apv !== 'string' || !/^[A-Za-z0-9_-]{1,8192}$/.test(apv)) return undefined;
  const bytes = Buffer.from(apv, 'base64url');
  // Non-canonical text (trailing bits set) is refused: one apv, one spelling.
  if (bytes.toString('base64url') !== apv) return undefined;
  const fields = parsePartyInfo(bytes);
  if (fields?.length !== 3) return undefined;
  const [prefix, key, serverNonce] = fields as [Buffer, Buffer, Buffer];
  return { prefix, key, serverNonce };
}

/**
 * Imports the IdP's login request encryption key from its public JWK (`kty` `EC`, `crv` `P-256`,
 * `x`, `y`; no `d`; `use`, when present, `enc`; `alg`, when present, `ECDH-ES`). The point must lie
 * on the curve.
 *
 * @throws {TypeError} saying what is wrong, never quoting the key.
 * @example
 * ```ts
 * const key = loginRequestEncryptionKey(config.loginRequestEncryptionPublicKey);
 * ```
 */
export function loginRequestEncryptionKey(jwk: unknown): KeyObject {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw new TypeError('must be a JWK object');
  const k = jwk as Record<string, unknown>;
  if ('d' in k) throw new TypeError('must be a public key (it has a private "d")');
  if (k.kty !== 'EC' || k.crv !== 'P-256') throw new TypeError('must be an EC P-256 key');
  if (k.use !== undefined && k.use !== 'enc') throw new TypeError('must have use "enc"');
  if (k.alg !== undefined && k.alg !== 'ECDH-ES') throw new TypeError('must have alg "ECDH-ES"');
  for (const c of ['x', 'y'] as const) {
    const v = k[c];
    if (
      typeof v !== 'string' ||
      !/^[A-Za-z0-9_-]{43}$/.test(v) ||
      Buffer.from(v, 'base64url').toString('base64url') !== v
    )
      throw new TypeError(`must have a 32-byte base64url "${c}"`);
  }
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: k.x, y: k.y } as JsonWebKey,
      format: 'jwk',
    });
  } catch {
    throw new TypeError('is not a point on P-256');
  }
}
