/**
 * The Concat KDF party-info encodings Platform SSO uses (RFC 7518 §4.6.2 `apu` / `apv`): a list of
 * fields, each a 4-byte big-endian length followed by that many bytes.
 *
 * - Login / refresh request `jwe_crypto.apv`: `len‖"Apple"‖len‖X9.63(device encryption public
 *   key)‖len‖ASCII(context nonce)`.
 * - Login response `apu`: `len‖"APPLE"‖len‖X9.63(epk)`; the device only requires the second field
 *   to byte-equal the X9.63 form of the JWE header's `epk`.
 *
 * @module
 */

import type { KeyObject } from 'node:crypto';
import { x963 } from './key-id.js';

/** A party-info value as raw bytes and as the base64url (no padding) header form. */
export interface PartyInfo {
  readonly bytes: Buffer;
  readonly base64url: string;
}

/** The prefix of the request `apv` (login, refresh and key requests). */
export const APV_PREFIX = 'Apple';
/** The prefix of the response `apu`. */
export const APU_PREFIX = 'APPLE';

/** The most fields {@link parsePartyInfo} accepts (a bound on attacker-chosen input). */
const MAX_FIELDS = 16;

function partyInfo(bytes: Buffer): PartyInfo {
  return { bytes, base64url: bytes.toString('base64url') };
}

/**
 * Encodes fields as `len‖bytes‖len‖bytes…` with 4-byte big-endian lengths.
 *
 * @example
 * ```ts
 * encodePartyInfo([Buffer.from('APPLE')]).toString('hex'); // '000000054150504c45'
 * ```
 */
export function encodePartyInfo(fields: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(field.byteLength);
    parts.push(len, Buffer.from(field.buffer, field.byteOffset, field.byteLength));
  }
  return Buffer.concat(parts);
}

/**
 * Splits a party-info value into its fields. Returns `undefined` when the bytes are not an exact
 * sequence of length-prefixed fields (truncated length or data, or more than 16 fields).
 *
 * @example
 * ```ts
 * const fields = parsePartyInfo(Buffer.from(header.apu, 'base64url'));
 * if (fields === undefined || fields.length < 2)
 *   throw new LoginError('PSSO_ERR_LOGIN_RESPONSE_APU', 'the apu is not length-prefixed fields');
 * ```
 */
export function parsePartyInfo(bytes: Uint8Array): Buffer[] | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: Buffer[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (fields.length === MAX_FIELDS || buf.length - offset < 4) return undefined;
    const len = buf.readUInt32BE(offset);
    offset += 4;
    if (buf.length - offset < len) return undefined;
    fields.push(Buffer.from(buf.subarray(offset, offset + len)));
    offset += len;
  }
  return fields;
}

/**
 * The X9.63 uncompressed point `04‖X‖Y` of a P-256 public key given as a KeyObject or as the `x`
 * and `y` members of a JWK. JWK coordinates shorter than 32 bytes are left-padded with zeros (some
 * IdPs drop leading zero bytes); longer ones are refused.
 *
 * @throws {TypeError} when the key is not P-256 or a coordinate is longer than 32 bytes.
 * @example
 * ```ts
 * ecPointX963({ x: epk.x, y: epk.y }).length; // 65
 * ```
 */
export function ecPointX963(key: KeyObject | { readonly x: string; readonly y: string }): Buffer {
  if (!('x' in key)) return x963(key);
  const pad = (b64: string): Buffer => {
    const raw = Buffer.from(b64, 'base64url');
    if (raw.length > 32) throw new TypeError('EC coordinate longer than 32 bytes');
    return Buffer.concat([Buffer.alloc(32 - raw.length), raw]);
  };
  return Buffer.concat([Buffer.from([0x04]), pad(key.x), pad(key.y)]);
}

/**
 * The login (and refresh) request PartyVInfo: `len‖"Apple"‖len‖X9.63(encryptionPublicKey)‖len‖
 * ASCII(contextNonce)`. Its `base64url` is the `jwe_crypto.apv` claim; keep it to decrypt the
 * response.
 *
 * @throws {TypeError} when the key is not P-256 or the nonce is not printable ASCII.
 * @example
 * ```ts
 * const apv = loginApv(keys.encryption.publicKey, 'DDF68171-409D-4E2C-91F0-9E42D7745365');
 * claims.jwe_crypto = { alg: 'ECDH-ES', enc: 'A256GCM', apv: apv.base64url };
 * ```
 */
export function loginApv(encryptionPublicKey: KeyObject, contextNonce: string): PartyInfo {
  if (contextNonce.length === 0 || !/^[\x20-\x7e]+$/.test(contextNonce))
    throw new TypeError('the context nonce must be non-empty printable ASCII');
  return partyInfo(
    encodePartyInfo([
      Buffer.from(APV_PREFIX, 'ascii'),
      x963(encryptionPublicKey),
      Buffer.from(contextNonce, 'ascii'),
    ]),
  );
}

/**
 * The login response PartyUInfo: `len‖"APPLE"‖len‖X9.63(epk)` with both coordinates 32 bytes.
 *
 * @throws {TypeError} when the key is not P-256.
 * @example
 * ```ts
 * const apu = responseApu(ephemeral.publicKey);
 * // header.apu === apu.base64url
 * ```
 */
export function responseApu(
  epk: KeyObject | { readonly x: string; readonly y: string },
): PartyInfo {
  return partyInfo(encodePartyInfo([Buffer.from(APU_PREFIX, 'ascii'), ecPointX963(epk)]));
}
