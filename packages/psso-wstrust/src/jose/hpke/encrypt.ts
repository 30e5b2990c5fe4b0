/**
 * The reference IdP side of an HPKE login response (docs/PLATFORM-SSO.md §3.7; docs/PSSO-PEERS.md §4.1):
 * an RFC 9180 single-shot seal (`@hpke/core`), laid out as a compact JWE.
 *
 * The layout (ours; Apple publishes none, and the JOSE HPKE drafts differ between revisions):
 * - protected header `{"alg":<suite>,"enc":"dir","kid"?,"typ":"platformsso-login-response+jwt"}`;
 * - JWE Encrypted Key = the HPKE encapsulated key `enc` (base64url). With `ekPlacement: 'header'`
 *   (tests only) it goes in an `ek` header parameter instead and the slot is empty;
 * - IV empty; ciphertext = the whole HPKE seal output (ciphertext‖16-byte tag); tag empty;
 * - AAD = the ASCII of the protected header segment, as in JWE;
 * - HPKE `info` = the request's context nonce (UTF-8), with the PSK and sender key of the mode.
 *
 * The placement of the encapsulated key is NOT confirmed against a real Mac.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { type HpkeSuiteName, hpkeCipherSuite, isHpkeSuite, toHpkeKey } from './suites.js';

/** A pre-shared key (PSK and AuthPSK modes): `key` at least 32 bytes, `id` non-empty. */
export interface HpkePsk {
  readonly id: Uint8Array;
  readonly key: Uint8Array;
}

/** Inputs of {@link encryptHpkeResponse}. */
export interface EncryptHpkeResponseOptions {
  readonly suite: HpkeSuiteName;
  /** The device's registered HPKE encryption public key (of the suite's key type). */
  readonly recipientPublicKey: KeyObject;
  /** The request's `nonce` claim (the HPKE `info`). */
  readonly info: string;
  /** PSK mode (with `senderPrivateKey`: AuthPSK). */
  readonly psk?: HpkePsk;
  /** Auth mode: the IdP's static sender private key (of the suite's key type). */
  readonly senderPrivateKey?: KeyObject;
  /** Header `typ`; default `platformsso-login-response+jwt`. */
  readonly typ?: string;
  /** Optional header `kid` (we echo the request's `jwe_crypto.kid`). */
  readonly kid?: string;
  /** Where the encapsulated key goes; default the encrypted-key slot. `header` is for tests. */
  readonly ekPlacement?: 'encrypted-key' | 'header';
}

/** HPKE's limit on `info` (bytes) in `@hpke/core`. */
export const MAX_HPKE_INFO_BYTES = 128;

/**
 * The PSK rules of RFC 9180 §5.1.2 as `@hpke/core` and Apple state them (32 to 128 bytes, a
 * non-empty id).
 *
 * @throws {TypeError} otherwise.
 * @example
 * ```ts
 * checkPsk({ id: new TextEncoder().encode('psk-1'), key: randomBytes(32) });
 * ```
 */
export function checkPsk(psk: HpkePsk): void {
  if (!(psk.key instanceof Uint8Array) || psk.key.byteLength < 32 || psk.key.byteLength > 128)
    throw new TypeError('the HPKE pre-shared key must be 32 to 128 bytes');
  if (!(psk.id instanceof Uint8Array) || psk.id.byteLength === 0)
    throw new TypeError('the HPKE pre-shared key id must not be empty');
}

/**
 * Encrypts a login response body for an HPKE device (Base, PSK, Auth or AuthPSK mode).
 *
 * @throws {TypeError} for an unknown suite, a key of another type, a bad PSK or an `info` over
 *   128 bytes.
 * @example
 * ```ts
 * const jwe = await encryptHpkeResponse(body, {
 *   suite: 'HPKE-P256-SHA256-A256GCM', recipientPublicKey: device.encryptionKey, info: claims.nonce,
 * });
 * ```
 */
export async function encryptHpkeResponse(
  body: Readonly<Record<string, unknown>> | Uint8Array,
  options: EncryptHpkeResponseOptions,
): Promise<string> {
  if (!isHpkeSuite(options.suite)) throw new TypeError('unknown HPKE suite');
  const info = new TextEncoder().encode(options.info);
  if (typeof options.info !== 'string' || info.byteLength > MAX_HPKE_INFO_BYTES)
    throw new TypeError('the HPKE info (the request nonce) must be a string of at most 128 bytes');
  if (options.psk !== undefined) checkPsk(options.psk);
  const { suite } = hpkeCipherSuite(options.suite);
  const recipientPublicKey = await toHpkeKey(options.suite, options.recipientPublicKey);
  const senderKey =
    options.senderPrivateKey === undefined
      ? undefined
      : await toHpkeKey(options.suite, options.senderPrivateKey);
  const inHeader = options.ekPlacement === 'header';
  const plaintext =
    body instanceof Uint8Array ? body : new TextEncoder().encode(JSON.stringify(body));
  // The encapsulated key must be known before the header (the AAD) when it sits in `ek`.
  const sender = await suite.createSenderContext({
    recipientPublicKey,
    info,
    ...(options.psk === undefined ? {} : { psk: { id: options.psk.id, key: options.psk.key } }),
    ...(senderKey === undefined ? {} : { senderKey }),
  });
  const enc = Buffer.from(sender.enc).toString('base64url');
  const header = {
    alg: options.suite,
    enc: 'dir',
    ...(options.kid === undefined ? {} : { kid: options.kid }),
    typ: options.typ ?? 'platformsso-login-response+jwt',
    ...(inHeader ? { ek: enc } : {}),
  };
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString('base64url');
  const ct = await sender.seal(plaintext, new TextEncoder().encode(protectedB64));
  const ciphertext = Buffer.from(ct).toString('base64url');
  return `${protectedB64}.${inHeader ? '' : enc}..${ciphertext}.`;
}
