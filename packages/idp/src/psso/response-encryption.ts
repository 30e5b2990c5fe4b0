/**
 * How the token endpoint encrypts its answer (docs/PLATFORM-SSO.md §3.4 `jwe_crypto`, §3.7): read
 * from the request's `jwe_crypto` and checked against the device registration, then applied.
 *
 * - `{"alg":"ECDH-ES","enc":"A256GCM","apv":…}` — a device registered for ECDH-ES (P-256 key):
 *   ECDH-ES + A256GCM with `apu` and the request's `apv` (login-response.ts).
 * - `{"alg":"HPKE-…","enc":"dir","kid":…}` — a device registered for that HPKE suite, whose
 *   encryption key has that `kid` (compared as bytes, so padded or base64url forms match): an HPKE
 *   response (hpke/encrypt.ts) with `info` = the request's `nonce` claim, in Base mode, PSK mode
 *   when the IdP holds a PSK for the device, Auth mode with the IdP's sender key
 *   (hpke-policy.ts). The encapsulated key goes in the JWE encrypted-key slot — a placement not
 *   confirmed against a real Mac (the client also accepts an `ek` header).
 *
 * Anything else, or a `jwe_crypto` that does not match the registration, is a 400
 * `invalid_request` refusal (`jwe-crypto`, `jwe-crypto-mismatch`, `hpke-nonce`), checked before
 * the grant so that nothing (a refresh-token rotation) happens for an unanswerable request.
 *
 * @module
 */
import type { JWTPayload } from 'jose';
import {
  encryptHpkeResponse,
  encryptLoginResponse,
  type HpkeSuiteName,
  isHpkeSuite,
  MAX_HPKE_INFO_BYTES,
} from 'psso-wstrust/jose';
import type { DeviceRecord } from '../state/records.js';
import { BASE_MODE, type HpkeResponsePolicy } from './hpke-policy.js';
import { Refusal, type RefusalReason } from './refusal.js';

/** The encryption a request asked for, checked against its device. */
export type ResponseEncryption =
  | { readonly alg: 'ECDH-ES'; readonly apv: string }
  | { readonly alg: HpkeSuiteName; readonly kid: string; readonly info: string };

const B64URL_APV = /^[A-Za-z0-9_-]{1,4096}$/;
const KID = /^[A-Za-z0-9+/_-]{1,200}={0,2}$/;

const kidBytes = (kid: string) => Buffer.from(kid.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

/**
 * Reads and checks the request's `jwe_crypto`.
 *
 * @throws {Refusal} 400 `invalid_request` (device failure) as listed in the module header.
 * @example
 * ```ts
 * const encryption = readJweCrypto(claims, device);
 * ```
 */
export function readJweCrypto(claims: JWTPayload, device: DeviceRecord): ResponseEncryption {
  const c = claims.jwe_crypto as { alg?: unknown; enc?: unknown; apv?: unknown; kid?: unknown };
  const refuse = (label: RefusalReason) => new Refusal(label);
  if (typeof c !== 'object' || c === null) throw refuse('jwe-crypto');
  if (c.alg === 'ECDH-ES' && c.enc === 'A256GCM' && typeof c.apv === 'string') {
    if (!B64URL_APV.test(c.apv)) throw refuse('jwe-crypto');
    if (device.encryptionAlg !== 'ECDH-ES') throw refuse('jwe-crypto-mismatch');
    return { alg: 'ECDH-ES', apv: c.apv };
  }
  if (!isHpkeSuite(c.alg) || c.enc !== 'dir' || typeof c.kid !== 'string' || !KID.test(c.kid))
    throw refuse('jwe-crypto');
  if (device.encryptionAlg !== c.alg || !kidBytes(c.kid).equals(kidBytes(device.encryptionKid)))
    throw refuse('jwe-crypto-mismatch');
  const nonce = claims.nonce;
  if (
    typeof nonce !== 'string' ||
    nonce === '' ||
    Buffer.byteLength(nonce, 'utf8') > MAX_HPKE_INFO_BYTES
  )
    throw refuse('hpke-nonce');
  return { alg: c.alg, kid: device.encryptionKid, info: nonce };
}

/**
 * Encrypts the response body as the request asked.
 *
 * @example
 * ```ts
 * const jwe = await encryptResponse(body, encryption, device, deps.hpke);
 * ```
 */
export function encryptResponse(
  body: Readonly<Record<string, unknown>>,
  encryption: ResponseEncryption,
  device: DeviceRecord,
  policy: HpkeResponsePolicy = BASE_MODE,
): Promise<string> {
  if (encryption.alg === 'ECDH-ES')
    return encryptLoginResponse(body, {
      deviceEncryptionPublicKey: device.encryptionKey,
      apv: encryption.apv,
    });
  const psk = policy.psk(device);
  const senderPrivateKey = policy.senderKey(encryption.alg);
  return encryptHpkeResponse(body, {
    suite: encryption.alg,
    recipientPublicKey: device.encryptionKey,
    info: encryption.info,
    kid: encryption.kid,
    ...(psk === undefined ? {} : { psk }),
    ...(senderPrivateKey === undefined ? {} : { senderPrivateKey }),
  });
}
