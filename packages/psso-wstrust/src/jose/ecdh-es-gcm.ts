/**
 * ECDH-ES + A256GCM decryption for a login response whose GCM IV is not 96 bits
 * (docs/PLATFORM-SSO.md §3.5, §3.7; docs/PSSO-PEERS.md §4.6). authentik sends `token_bytes(96)` — 96 BYTES —
 * as the IV; macOS decrypts it (GCM takes any IV length), but jose refuses any IV other than 12
 * bytes. This path is used only then: Z from node:crypto ECDH, the CEK by the Concat KDF of
 * RFC 7518 §4.6.2 (one SHA-256 round; checked against Apple's known-answer vectors), and
 * AES-256-GCM by node:crypto with a 128-bit tag and the protected header as AAD. The normal
 * 12-byte-IV path stays with jose.
 *
 * @module
 */
import {
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  type KeyObject,
} from 'node:crypto';
import { LoginError } from '../errors.js';

/** The longest IV accepted here (bytes); authentik's is 96. */
export const MAX_GCM_IV_BYTES = 1024;

const lengthPrefixed = (bytes: Uint8Array): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.byteLength);
  return Buffer.concat([len, bytes]);
};

/**
 * The Concat KDF of RFC 7518 §4.6.2 for ECDH-ES direct key agreement with `enc` `A256GCM`:
 * `SHA-256(00000001 ‖ Z ‖ len‖"A256GCM" ‖ len‖apu ‖ len‖apv ‖ 00000100)`, one round (256 bits).
 *
 * @example
 * ```ts
 * const cek = concatKdfA256Gcm(z, Buffer.from(apu, 'base64url'), Buffer.from(apv, 'base64url'));
 * cek.length; // 32
 * ```
 */
export function concatKdfA256Gcm(z: Uint8Array, apu: Uint8Array, apv: Uint8Array): Buffer {
  const counter = Buffer.from([0, 0, 0, 1]);
  const keyBits = Buffer.from([0, 0, 1, 0]);
  return createHash('sha256')
    .update(counter)
    .update(z)
    .update(lengthPrefixed(Buffer.from('A256GCM', 'ascii')))
    .update(lengthPrefixed(apu))
    .update(lengthPrefixed(apv))
    .update(keyBits)
    .digest();
}

/**
 * The ECDH shared secret Z between our P-256 private key and the sender's `epk` (only `kty`,
 * `crv`, `x`, `y` are read; other members such as `use`, `kid`, `iat` are ignored).
 *
 * @throws {LoginError} `PSSO_ERR_LOGIN_RESPONSE_DECRYPT` when the epk (the peer's) is not a P-256
 *   public key; {@link TypeError} when our private key is not P-256 (caller misuse).
 * @example
 * ```ts
 * const z = ecdhSharedSecret(keys.encryption.privateKey, header.epk);
 * ```
 */
export function ecdhSharedSecret(
  privateKey: KeyObject,
  epk: Readonly<Record<string, unknown>>,
): Buffer {
  if (privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new TypeError('the private key must be a P-256 key');
  const { kty, crv, x, y } = epk;
  if (kty !== 'EC' || crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string')
    throw refused('the epk is not a P-256 public JWK');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
  } catch (cause) {
    throw refused('the epk is not a P-256 public key', cause);
  }
  return diffieHellman({ privateKey, publicKey });
}

/** Inputs of {@link decryptEcdhEsA256Gcm}; the JWE parts as received (base64url). */
export interface EcdhEsA256GcmInput {
  readonly privateKey: KeyObject;
  readonly epk: Readonly<Record<string, unknown>>;
  readonly apu: Uint8Array;
  readonly apv: Uint8Array;
  /** The protected header segment, exactly as received (the AAD). */
  readonly protectedB64: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

/**
 * Decrypts an ECDH-ES (direct) + A256GCM JWE with an IV of any length from 1 to
 * {@link MAX_GCM_IV_BYTES} bytes. The tag must be 128 bits.
 *
 * @throws {LoginError} `PSSO_ERR_LOGIN_RESPONSE_DECRYPT` for a malformed epk, IV or tag, or a tag
 *   that does not authenticate; {@link TypeError} when our private key is not P-256.
 * @example
 * ```ts
 * const plaintext = decryptEcdhEsA256Gcm({ privateKey, epk: header.epk, apu, apv,
 *   protectedB64, iv, ciphertext, tag });
 * ```
 */
export function decryptEcdhEsA256Gcm(input: EcdhEsA256GcmInput): Buffer {
  const iv = Buffer.from(input.iv, 'base64url');
  const tag = Buffer.from(input.tag, 'base64url');
  if (iv.length === 0 || iv.length > MAX_GCM_IV_BYTES)
    throw refused('the IV length is out of range');
  if (tag.length !== 16) throw refused('the authentication tag is not 128 bits');
  const cek = concatKdfA256Gcm(ecdhSharedSecret(input.privateKey, input.epk), input.apu, input.apv);
  const decipher = createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(input.protectedB64, 'ascii'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(input.ciphertext, 'base64url')),
      decipher.final(),
    ]);
  } catch (cause) {
    throw refused('the authentication tag does not verify', cause);
  }
}

/** The peer's JWE cannot be decrypted (its bytes, never ours). */
function refused(message: string, cause?: unknown): LoginError {
  return new LoginError(
    'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    message,
    cause === undefined ? undefined : { cause },
  );
}
