/**
 * The encrypted login response (docs/PLATFORM-SSO.md §3.5, §3.7): a compact JWE, `alg` `ECDH-ES`,
 * `enc` `A256GCM`, whose Concat KDF uses the `apu` in the header and the `apv` the device sent in
 * its request. {@link decryptLoginResponse} is the device side, {@link encryptLoginResponse} the
 * reference IdP side. All JOSE work is done by `jose`. An `HPKE-*` + `dir` response (Platform
 * SSO 2.0, §3.7) is handed to `hpke/decrypt.ts` when the caller gives an HPKE key (`hpke`).
 *
 * @module
 */

import { generateKeyPairSync, type KeyObject, timingSafeEqual, webcrypto } from 'node:crypto';
import {
  CompactEncrypt,
  decodeProtectedHeader,
  flattenedDecrypt,
  type JWEHeaderParameters,
} from 'jose';
import { LoginError } from '../errors.js';
import { decryptEcdhEsA256Gcm } from './ecdh-es-gcm.js';
import { decryptHpkeResponse, type HpkeResponseKey } from './hpke/decrypt.js';
import { ecPointX963, parsePartyInfo, responseApu } from './party-info.js';

/** The `typ` of a login response JWE (extension SDK 14 and later; `JWT` for SDK 13). */
export const LOGIN_RESPONSE_TYP = 'platformsso-login-response+jwt';

/** The longest compact JWE accepted. */
const MAX_JWE_LENGTH = 1024 * 1024;

/** A decrypted and checked login response. */
export interface LoginResponse {
  readonly idToken: string;
  readonly refreshToken: string;
  /** `refresh_token_expires_in`, else `expires_in` (seconds). */
  readonly refreshTokenExpiresIn: number;
  /** `expires_in` when present (seconds). */
  readonly expiresIn: number | undefined;
  readonly tokenType: string | undefined;
  /** The whole decrypted body (Kerberos tickets and other members included). */
  readonly body: Readonly<Record<string, unknown>>;
  /** The JWE protected header. */
  readonly protectedHeader: JWEHeaderParameters;
}

/** Inputs of {@link decryptLoginResponse}. */
export interface DecryptLoginResponseOptions {
  /** The device encryption private key (P-256). */
  readonly encryptionPrivateKey: KeyObject;
  /** The request's `jwe_crypto.apv` (base64url) — the KDF PartyVInfo (ECDH-ES devices). */
  readonly apv?: string;
  /** When set, the header `typ` must equal it (e.g. `platformsso-key-response+jwt`). */
  readonly typ?: string;
  /** An HPKE device (Platform SSO 2.0): its HPKE key and the request nonce; see `hpke/decrypt`. */
  readonly hpke?: HpkeResponseKey;
}

const fail = (
  code: ConstructorParameters<typeof LoginError>[0],
  message: string,
  cause?: unknown,
) => new LoginError(code, message, cause === undefined ? undefined : { cause });

const B64URL = /^[A-Za-z0-9_-]*$/;
/** The GCM IV length jose accepts; any other goes through {@link decryptEcdhEsA256Gcm}. */
const GCM_IV_BYTES = 12;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

function expiry(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_FIELDS',
      `login response ${name} is not a number of seconds`,
    );
  return n;
}

function checkHeader(header: JWEHeaderParameters, apv: Buffer): boolean {
  if (header.alg !== 'ECDH-ES' || header.enc !== 'A256GCM')
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
      'unsupported login response algorithm and encryption',
    );
  const { apu } = header;
  const epk = header.epk as Record<string, unknown> | null | undefined;
  if (typeof apu !== 'string' || apu.length === 0 || !B64URL.test(apu))
    throw fail('PSSO_ERR_LOGIN_RESPONSE_APU', 'response missing apu');
  if (
    typeof epk !== 'object' ||
    epk === null ||
    typeof epk.x !== 'string' ||
    typeof epk.y !== 'string'
  )
    throw fail('PSSO_ERR_LOGIN_RESPONSE_APU', 'response missing epk');
  if (epk.kty !== 'EC' || epk.crv !== 'P-256')
    throw fail('PSSO_ERR_LOGIN_RESPONSE_ALGORITHM', 'the response epk is not a P-256 key');
  const fields = parsePartyInfo(Buffer.from(apu, 'base64url'));
  let point: Buffer;
  try {
    point = ecPointX963({ x: epk.x, y: epk.y });
  } catch (cause) {
    throw fail('PSSO_ERR_LOGIN_RESPONSE_APU', 'the response epk is malformed', cause);
  }
  const echoed = fields?.[1];
  if (echoed === undefined || !sameBytes(echoed, point))
    throw fail('PSSO_ERR_LOGIN_RESPONSE_APU', 'Failed to validate apu.');
  if (header.apv === undefined) return false;
  if (
    typeof header.apv !== 'string' ||
    !B64URL.test(header.apv) ||
    !sameBytes(Buffer.from(header.apv, 'base64url'), apv)
  )
    throw fail('PSSO_ERR_LOGIN_RESPONSE_APV', 'Failed to validate apv.');
  return true;
}

/**
 * Decrypts and checks a login response: compact JWE, `ECDH-ES` + `A256GCM` only, no `zip`; `apu`
 * must echo the header `epk`; the KDF uses OUR `apv` (a header `apv`, if any, must equal it); the
 * body must carry `id_token`, `refresh_token` and a valid `refresh_token_expires_in` or
 * `expires_in`. The id_token itself is checked by `verifyIdToken`.
 *
 * Tolerated as working IdPs send them (docs/PSSO-PEERS.md §4.6): a GCM IV other than 96 bits (decrypted
 * by `ecdh-es-gcm.ts`), extra `epk` members (`use`, `kid`, `iat`), lifetimes as digit strings.
 *
 * @throws {LoginError} `PSSO_ERR_LOGIN_RESPONSE_EMPTY` (an empty body),
 *   `PSSO_ERR_LOGIN_RESPONSE_FORMAT` (not a compact JWE, body not a JSON object),
 *   `…_ALGORITHM`, `…_APU`, `…_APV`, `…_DECRYPT`, `…_FIELDS`.
 * @example
 * ```ts
 * const apv = loginApv(keys.encryption.publicKey, nonce).base64url;
 * const res = await decryptLoginResponse(await response.text(), {
 *   encryptionPrivateKey: keys.encryption.privateKey, apv,
 * });
 * await verifyIdToken(res.idToken, { jwks, issuer, clientId, nonce });
 * ```
 */
export async function decryptLoginResponse(
  jwe: string,
  options: DecryptLoginResponseOptions,
): Promise<LoginResponse> {
  const { body: fields, protectedHeader: header } = await decryptResponseJwe(jwe, options);
  const { id_token: idToken, refresh_token: refreshToken, token_type: tokenType } = fields;
  if (typeof idToken !== 'string' || idToken.length === 0)
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FIELDS', 'No id_token in login response.');
  if (typeof refreshToken !== 'string' || refreshToken.length === 0)
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FIELDS', 'No refresh_token in login response.');
  const expiresIn = expiry(fields, 'expires_in');
  const refreshTokenExpiresIn = expiry(fields, 'refresh_token_expires_in') ?? expiresIn;
  if (refreshTokenExpiresIn === undefined)
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FIELDS', 'login response has no expires_in');
  return {
    idToken,
    refreshToken,
    refreshTokenExpiresIn,
    expiresIn,
    tokenType: typeof tokenType === 'string' ? tokenType : undefined,
    body: fields,
    protectedHeader: header,
  };
}

/**
 * The JWE layer shared by the login and key responses (§3.7, §3.11): compact JWE, `ECDH-ES` +
 * `A256GCM` (`apu`/`apv` checked, decrypted with OUR `apv`) or `HPKE-*` + `dir` for an HPKE device;
 * the body a JSON object; `typ` checked when `options.typ` is set. The body's members are the
 * caller's to check.
 *
 * @throws {LoginError} `PSSO_ERR_LOGIN_RESPONSE_EMPTY`, `…_FORMAT`, `…_ALGORITHM`, `…_APU`,
 *   `…_APV`, `…_DECRYPT`.
 * @example
 * ```ts
 * const { body } = await decryptResponseJwe(text, {
 *   encryptionPrivateKey, apv, typ: 'platformsso-key-response+jwt',
 * });
 * ```
 */
export async function decryptResponseJwe(
  jwe: string,
  options: DecryptLoginResponseOptions,
): Promise<{ body: Record<string, unknown>; protectedHeader: JWEHeaderParameters }> {
  if (typeof jwe !== 'string') throw new TypeError('the login response must be a string');
  if (
    options.hpke === undefined &&
    (typeof options.apv !== 'string' || !B64URL.test(options.apv) || options.apv.length === 0)
  )
    throw new TypeError('apv must be the base64url PartyVInfo of the request');
  const text = jwe.trim();
  // authentik-style refusal: 2xx with no body. Its own code, not a parse failure (PSSO-PEERS §4.6).
  if (text === '') throw fail('PSSO_ERR_LOGIN_RESPONSE_EMPTY', 'Failed to parse login response.');
  const parts = text.split('.');
  if (text.length > MAX_JWE_LENGTH || parts.length !== 5 || !parts.every((p) => B64URL.test(p)))
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'Failed to parse login response.');
  const segments = parts as [string, string, string, string, string];
  let header: JWEHeaderParameters;
  try {
    header = decodeProtectedHeader(text) as JWEHeaderParameters;
  } catch (cause) {
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'Failed to parse login response.', cause);
  }
  if (options.typ !== undefined && header.typ !== options.typ)
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'unexpected response typ');
  // §3.7: `zip` is unsupported, whatever the algorithm.
  if (header.zip !== undefined)
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
      'compressed (zip) login responses are not supported',
    );
  const plaintext =
    typeof header.alg === 'string' && header.alg.startsWith('HPKE-')
      ? await hpkePlaintext(segments, header, options)
      : await ecdhPlaintext(segments, header, options.encryptionPrivateKey, options.apv);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch (cause) {
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'the login response body is not JSON', cause);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw fail('PSSO_ERR_LOGIN_RESPONSE_FORMAT', 'the login response body is not a JSON object');
  return { body: body as Record<string, unknown>, protectedHeader: header };
}

/** ECDH-ES + A256GCM: the apu/apv checks, then jose's Concat KDF with our apv. */
async function ecdhPlaintext(
  [protectedB64, encryptedKey, iv, ciphertext, tag]: [string, string, string, string, string],
  header: JWEHeaderParameters,
  encryptionPrivateKey: KeyObject,
  apvText: string | undefined,
): Promise<Uint8Array> {
  if (apvText === undefined)
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
      'unsupported login response algorithm and encryption',
    );
  const ourApv = Buffer.from(apvText, 'base64url');
  const headerHasApv = checkHeader(header, ourApv);
  if (encryptedKey !== '')
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_FORMAT',
      'unexpected encrypted key for direct key agreement',
    );
  try {
    if (Buffer.from(iv, 'base64url').length !== GCM_IV_BYTES) {
      // Not a 96-bit IV (authentik: 96 BYTES): jose refuses it, macOS does not (ecdh-es-gcm.ts).
      return decryptEcdhEsA256Gcm({
        privateKey: encryptionPrivateKey,
        epk: header.epk as unknown as Record<string, unknown>,
        apu: Buffer.from(header.apu as string, 'base64url'),
        apv: ourApv,
        protectedB64,
        iv,
        ciphertext,
        tag,
      });
    }
    // The protected header (the AAD) stays as received; when it lacks apv, ours is supplied in the
    // shared unprotected header so that jose's Concat KDF uses it.
    const result = await flattenedDecrypt(
      {
        protected: protectedB64,
        iv,
        ciphertext,
        tag,
        ...(headerHasApv ? {} : { unprotected: { apv: apvText } }),
      },
      encryptionPrivateKey,
      { keyManagementAlgorithms: ['ECDH-ES'], contentEncryptionAlgorithms: ['A256GCM'] },
    );
    return result.plaintext;
  } catch (cause) {
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
      'the login response could not be decrypted',
      cause,
    );
  }
}

/** `HPKE-*` + `dir`: only for a device that has an HPKE key (else the pair is unsupported). */
function hpkePlaintext(
  parts: [string, string, string, string, string],
  header: JWEHeaderParameters,
  options: DecryptLoginResponseOptions,
): Promise<Uint8Array> {
  if (options.hpke === undefined)
    throw fail(
      'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
      'unsupported login response algorithm and encryption',
    );
  return decryptHpkeResponse(parts, header, options.hpke);
}

/** Inputs of {@link encryptLoginResponse}. */
export interface EncryptLoginResponseOptions {
  /** The device encryption public key registered for the device. */
  readonly deviceEncryptionPublicKey: KeyObject;
  /** The request's `jwe_crypto.apv` (base64url), used for the KDF and echoed in the header. */
  readonly apv: string;
  /** Header `typ`; default `platformsso-login-response+jwt`. */
  readonly typ?: string;
  /** Optional header `kid`. */
  readonly kid?: string;
  /** The ephemeral private key (P-256); default a fresh one. For tests and vectors. */
  readonly ephemeralPrivateKey?: KeyObject;
  /** A fixed 96-bit IV. For tests and vectors only. */
  readonly iv?: Uint8Array;
}

/**
 * Encrypts a login response body for a device (reference IdP side): `alg` `ECDH-ES`, `enc`
 * `A256GCM`, `epk` (fresh P-256 key), `apu` = `len‖"APPLE"‖len‖X9.63(epk)`, the device's `apv`,
 * `typ` `platformsso-login-response+jwt`. jose also echoes `apv` in the header (optional per Apple).
 *
 * @throws {TypeError} when the apv is not base64url or a key is not P-256.
 * @example
 * ```ts
 * const jwe = await encryptLoginResponse(
 *   { id_token, refresh_token, token_type: 'Bearer', expires_in: 28800 },
 *   { deviceEncryptionPublicKey: device.encryptionKey, apv: claims.jwe_crypto.apv },
 * );
 * ```
 */
export async function encryptLoginResponse(
  body: Readonly<Record<string, unknown>> | Uint8Array,
  options: EncryptLoginResponseOptions,
): Promise<string> {
  if (typeof options.apv !== 'string' || options.apv.length === 0 || !B64URL.test(options.apv))
    throw new TypeError('apv must be the base64url PartyVInfo of the request');
  const ephemeral =
    options.ephemeralPrivateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const apu = responseApu(ephemeral);
  const plaintext =
    body instanceof Uint8Array ? body : new TextEncoder().encode(JSON.stringify(body));
  const header = {
    alg: 'ECDH-ES',
    enc: 'A256GCM',
    typ: options.typ ?? LOGIN_RESPONSE_TYP,
    ...(options.kid === undefined ? {} : { kid: options.kid }),
  };
  // jose needs an extractable ephemeral key (it exports its public half as the header epk).
  const epk = await webcrypto.subtle.importKey(
    'jwk',
    ephemeral.export({ format: 'jwk' }),
    { name: 'ECDH', namedCurve: 'P-256' },
    true,
    ['deriveBits'],
  );
  const jwe = new CompactEncrypt(plaintext).setProtectedHeader(header).setKeyManagementParameters({
    apu: apu.bytes,
    apv: Buffer.from(options.apv, 'base64url'),
    epk,
  });
  if (options.iv !== undefined) jwe.setInitializationVector(options.iv);
  return jwe.encrypt(options.deviceEncryptionPublicKey);
}
