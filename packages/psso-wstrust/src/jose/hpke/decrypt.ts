/**
 * The device side of an HPKE login response (docs/PLATFORM-SSO.md §3.7; docs/PSSO-PEERS.md §4.1): checks
 * the compact JWE layout of {@link encryptHpkeResponse} and opens it with `@hpke/core`. The
 * "other info" is the context nonce (HPKE `info`), plus the PSK and the IdP's auth public key when
 * configured (`hpkePreSharedKey`/`…ID`, `hpkeAuthPublicKey`). HPKE responses skip the apu/apv
 * checks.
 *
 * Accepted layout: IV empty; the encapsulated key in the JWE Encrypted Key slot OR in an `ek`
 * header parameter (base64url) — both placements occur in the JOSE HPKE drafts and Apple's is not
 * public; if both are present they must be equal. The ciphertext is the HPKE seal output
 * (ciphertext‖tag); a non-empty tag segment is appended to it (the drafts that split the tag).
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { LoginError } from '../../errors.js';
import type { HpkePsk } from './encrypt.js';
import { hpkeCipherSuite, hpkeKeyType, isHpkeSuite, toHpkeKey } from './suites.js';

/** What the device needs to open an HPKE response. */
export interface HpkeResponseKey {
  /** The device HPKE encryption private key (P-256, P-384 or X25519). */
  readonly privateKey: KeyObject;
  /** The context nonce of the request (the HPKE `info`). */
  readonly info: string;
  /** PSK mode: the configured `hpkePreSharedKey` and `hpkePreSharedKeyID`. */
  readonly psk?: HpkePsk;
  /** Auth mode: the configured `hpkeAuthPublicKey` (the IdP's sender key). */
  readonly authPublicKey?: KeyObject;
}

const fail = (
  code:
    | 'PSSO_ERR_LOGIN_RESPONSE_FORMAT'
    | 'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM'
    | 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
  message: string,
  cause?: unknown,
) => new LoginError(code, message, cause === undefined ? undefined : { cause });

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Opens the five compact segments of an HPKE login response whose protected header is `header`.
 *
 * @throws {LoginError} `PSSO_ERR_LOGIN_RESPONSE_ALGORITHM` (not an HPKE suite + `dir`, a
 *   suite of another key type than the device key), `…_FORMAT` (IV present, no or two different
 *   encapsulated keys), `…_DECRYPT` (wrong key, info, PSK or sender, tampered bytes).
 * @example
 * ```ts
 * const plaintext = await decryptHpkeResponse(parts, header, {
 *   privateKey: keys.hpkeEncryption.privateKey, info: contextNonce,
 * });
 * ```
 */
export async function decryptHpkeResponse(
  parts: readonly [string, string, string, string, string],
  header: Readonly<Record<string, unknown>>,
  key: HpkeResponseKey,
): Promise<Uint8Array> {
  const { alg } = header;
  if (!isHpkeSuite(alg) || header.enc !== 'dir')
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
      'unsupported login response algorithm and encryption',
    );
  const { suite, keyType } = hpkeCipherSuite(alg);
  if (hpkeKeyType(key.privateKey) !== keyType)
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
      'the login response HPKE suite is not the one of the device encryption key',
    );
  const [protectedB64, encryptedKey, iv, ciphertext, tag] = parts;
  if (iv !== '')
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'unexpected IV in an HPKE login response');
  const ek = header.ek;
  if (ek !== undefined && (typeof ek !== 'string' || ek === '' || !B64URL.test(ek)))
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'the ek header is not base64url');
  if (ek !== undefined && encryptedKey !== '' && ek !== encryptedKey)
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'two different HPKE encapsulated keys');
  const enc = encryptedKey !== '' ? encryptedKey : ek;
  if (enc === undefined)
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'the HPKE encapsulated key is missing');
  try {
    const recipientKey = await toHpkeKey(alg, key.privateKey);
    const senderPublicKey =
      key.authPublicKey === undefined ? undefined : await toHpkeKey(alg, key.authPublicKey);
    const sealed = Buffer.concat([
      Buffer.from(ciphertext, 'base64url'),
      Buffer.from(tag, 'base64url'),
    ]);
    const plaintext = await suite.open(
      {
        recipientKey,
        enc: Buffer.from(enc, 'base64url'),
        info: new TextEncoder().encode(key.info),
        ...(key.psk === undefined ? {} : { psk: { id: key.psk.id, key: key.psk.key } }),
        ...(senderPublicKey === undefined ? {} : { senderPublicKey }),
      },
      sealed,
      new TextEncoder().encode(protectedB64),
    );
    return new Uint8Array(plaintext);
  } catch (cause) {
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
      'the login response could not be decrypted',
      cause,
    );
  }
}
