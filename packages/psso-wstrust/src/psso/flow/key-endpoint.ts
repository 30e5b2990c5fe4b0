/**
 * The Platform SSO 2.0 key endpoint (docs/PLATFORM-SSO.md §3.11; docs/PSSO-PEERS.md §4.2) as two
 * request/response pairs: {@link keyRequest} / {@link processKeyResponse} and
 * {@link keyExchangeRequest} / {@link processKeyExchangeResponse}. A request POSTs the signed key
 * request JWT (`buildKeyRequestJwt`) with `platform_sso_version=2.0` to `keyEndpointURL` (default
 * the token endpoint) and returns the raw response. A response is validated as macOS does, and
 * more: a 2xx status, the `application/platformsso-key-response+jwt` content type, a JWE with
 * `typ` `platformsso-key-response+jwt` decrypted with the device encryption key and our `apv`
 * (the login response's JWE layer, {@link decryptResponseJwe}), then the body:
 *
 * - key_request: `{certificate (b64url DER), key_context, iat, exp}`; the certificate's key must
 *   be EC P-256 (macOS checks its size);
 * - key_exchange: `{key (std-b64, 32 bytes), key_context, iat, exp}`; the client recomputes
 *   ECDH(other private key, certificate public key) and requires it to equal `key`.
 *
 * `iat` and `exp` must be within ±120 s of the (injected) clock. Works on recorded bytes: no
 * network here.
 *
 * @module
 */
import { diffieHellman, type KeyObject, timingSafeEqual, X509Certificate } from 'node:crypto';
import { LoginError, type LoginErrorCode } from '../../errors.js';
import { mediaType } from '../../http/content-type.js';
import type { HttpOptions } from '../../http/options.js';
import {
  assertRecordedResponse,
  type HttpResponse,
  type RecordedResponse,
} from '../../http/request.js';
import {
  KEY_RESPONSE_CONTENT_TYPE,
  KEY_RESPONSE_TYP,
  keyRequestBody,
} from '../../jose/key-request-jwt.js';
import { decryptResponseJwe } from '../../jose/login-response.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import { postForm } from './form.js';
import { jsonObject } from './json.js';

/**
 * POSTs a key request JWT (`request_type` `key_request`) to the key endpoint and returns the
 * response as received, whatever its status.
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 *
 * @example
 * ```ts
 * const jwt = await buildKeyRequestJwt({ requestType: 'key_request', … });
 * const r = await processKeyResponse(await keyRequest(config, jwt, requestId, { ca }), {
 *   encryptionPrivateKey, apv,
 * });
 * ```
 */
export async function keyRequest(
  config: ResolvedLoginConfiguration,
  jwt: string,
  requestId: string,
  options?: HttpOptions,
): Promise<HttpResponse> {
  return postForm(
    config.keyEndpointURL ?? config.tokenEndpointURL,
    keyRequestBody(jwt, config.customRequestJWTParameterName),
    { accept: KEY_RESPONSE_CONTENT_TYPE, requestId },
    options,
  );
}

/**
 * POSTs a key exchange JWT (`request_type` `key_exchange`, with `other_publickey` and the
 * `key_context`) to the key endpoint and returns the response as received: the same POST as
 * {@link keyRequest}, answered by {@link processKeyExchangeResponse}.
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 *
 * @example
 * ```ts
 * const response = await keyExchangeRequest(config, jwt, requestId, { ca });
 * ```
 */
export async function keyExchangeRequest(
  ...args: Parameters<typeof keyRequest>
): Promise<HttpResponse> {
  return keyRequest(...args);
}

/** What the response is checked against. */
export interface KeyResponseContext {
  readonly encryptionPrivateKey: KeyObject;
  /** The request's `jwe_crypto.apv` (base64url). */
  readonly apv: string;
  /** The clock; default now. */
  readonly now?: Date;
}

/** A checked key_request answer. */
export interface KeyRequestResult {
  /** The certificate, DER. */
  readonly certificateDer: Buffer;
  readonly certificate: X509Certificate;
  readonly keyContext: string;
  readonly iat: number;
  readonly exp: number;
}

/** A checked key_exchange answer: `key` equals the ECDH the client computed itself. */
export interface KeyExchangeResult {
  /** The exchanged 32-byte secret. */
  readonly key: Buffer;
  readonly keyContext: string;
  readonly iat: number;
  readonly exp: number;
  readonly verified: true;
}

/** How far iat/exp may be from the clock (macOS: 120 s). */
const SKEW_SECONDS = 120;

const fail = (code: LoginErrorCode, message: string, cause?: unknown) =>
  new LoginError(code, message, cause === undefined ? undefined : { cause });

/** Status, content type, JWE layer (typ, decryption), body as an object, iat/exp, key_context. */
async function openResponse(
  res: RecordedResponse,
  ctx: KeyResponseContext,
  fn: string,
): Promise<{ body: Record<string, unknown>; keyContext: string; iat: number; exp: number }> {
  assertRecordedResponse(res, fn);
  if (res.status < 200 || res.status > 299) {
    let json: Record<string, unknown> | undefined;
    try {
      json = jsonObject(res.body, 'PSSO_ERR_KEY_RESPONSE_STATUS', 'key error response');
    } catch {
      json = undefined;
    }
    const said = (name: string) =>
      typeof json?.[name] === 'string' ? (json[name] as string) : undefined;
    const error = said('error');
    const errorDescription = said('error_description');
    const suberror = said('suberror');
    throw new LoginError('PSSO_ERR_KEY_RESPONSE_STATUS', 'The key endpoint refused the request', {
      status: res.status,
      ...(error === undefined ? {} : { error }),
      ...(errorDescription === undefined ? {} : { errorDescription }),
      ...(suberror === undefined ? {} : { suberror }),
    });
  }
  if (mediaType(res.headers) !== KEY_RESPONSE_CONTENT_TYPE)
    throw fail(
      'PSSO_ERR_KEY_RESPONSE_TYPE',
      `the key response is not ${KEY_RESPONSE_CONTENT_TYPE}`,
    );
  const text = Buffer.from(res.body).toString('utf8').trim();
  const typ = headerTyp(text);
  if (typ !== KEY_RESPONSE_TYP)
    throw fail('PSSO_ERR_KEY_RESPONSE_TYPE', `the key response JWE typ is not ${KEY_RESPONSE_TYP}`);
  let body: Record<string, unknown>;
  try {
    ({ body } = await decryptResponseJwe(text, {
      encryptionPrivateKey: ctx.encryptionPrivateKey,
      apv: ctx.apv,
      typ: KEY_RESPONSE_TYP,
    }));
  } catch (e) {
    if (!(e instanceof LoginError)) throw e;
    throw fail('PSSO_ERR_KEY_RESPONSE_JWE', `the key response JWE was refused (${e.code})`, e);
  }
  const { key_context: keyContext, iat, exp } = body;
  if (typeof keyContext !== 'string' || keyContext === '' || keyContext.length > 16_384)
    throw fail('PSSO_ERR_KEY_RESPONSE_FIELDS', 'the key response has no key_context');
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp))
    throw fail('PSSO_ERR_KEY_RESPONSE_FIELDS', 'the key response iat/exp are not integers');
  const now = (ctx.now ?? new Date()).getTime() / 1000;
  if ((iat as number) - now > SKEW_SECONDS)
    throw fail('PSSO_ERR_KEY_RESPONSE_TIME', 'the key response was issued in the future');
  if (now - (exp as number) > SKEW_SECONDS)
    throw fail('PSSO_ERR_KEY_RESPONSE_TIME', 'the key response has expired');
  return { body, keyContext, iat: iat as number, exp: exp as number };
}

/** The protected header's `typ`, or undefined when the text is not a compact JWE header. */
function headerTyp(text: string): unknown {
  const first = text.split('.')[0] ?? '';
  try {
    const header = JSON.parse(Buffer.from(first, 'base64url').toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null
      ? (header as Record<string, unknown>).typ
      : undefined;
  } catch {
    throw fail('PSSO_ERR_KEY_RESPONSE_JWE', 'the key response is not a compact JWE');
  }
}

/**
 * The certificate of a key response (b64url DER; standard base64 and PEM tolerated) as an
 * X509Certificate whose key is EC P-256.
 *
 * @throws {LoginError} `PSSO_ERR_KEY_RESPONSE_FIELDS` (absent), `…_CERTIFICATE` (unparsable, or
 *   not a P-256 key).
 * @example
 * ```ts
 * const cert = keyResponseCertificate(stored.certificate);
 * ```
 */
export function keyResponseCertificate(value: unknown): { der: Buffer; cert: X509Certificate } {
  if (typeof value !== 'string' || value === '' || value.length > 65_536)
    throw fail('PSSO_ERR_KEY_RESPONSE_FIELDS', 'the key response has no certificate');
  let cert: X509Certificate;
  try {
    // Node's base64 decoder reads both alphabets, padded or not.
    const der = value.includes('-----BEGIN') ? value : Buffer.from(value, 'base64');
    cert = new X509Certificate(der);
  } catch (cause) {
    throw fail('PSSO_ERR_KEY_RESPONSE_CERTIFICATE', 'the certificate does not parse', cause);
  }
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw fail('PSSO_ERR_KEY_RESPONSE_CERTIFICATE', 'the certificate key is not EC P-256');
  return { der: cert.raw, cert };
}

/**
 * Checks a key_request answer, in order: status, content type, JWE (typ, decryption), fields
 * (`key_context`, `iat`/`exp`, `certificate`), expected values (times within ±120 s, a P-256
 * certificate key).
 *
 * @throws {LoginError} `PSSO_ERR_KEY_RESPONSE_STATUS`, `…_TYPE`, `…_JWE`, `…_FIELDS`,
 *   `…_CERTIFICATE`, `…_TIME`.
 * @example
 * ```ts
 * const r = await processKeyResponse(recorded, { encryptionPrivateKey, apv, now });
 * r.certificate.publicKey; // the P-256 user unlock key
 * ```
 */
export async function processKeyResponse(
  res: RecordedResponse,
  ctx: KeyResponseContext,
): Promise<KeyRequestResult> {
  const { body, keyContext, iat, exp } = await openResponse(res, ctx, 'processKeyResponse');
  const { der, cert } = keyResponseCertificate(body.certificate);
  return { certificateDer: der, certificate: cert, keyContext, iat, exp };
}

/** Inputs of {@link processKeyExchangeResponse} beyond the JWE's. */
export interface KeyExchangeContext extends KeyResponseContext {
  /** The private half of the `other_publickey` sent. */
  readonly otherPrivateKey: KeyObject;
  /** The certificate of the key request (its public key is the IdP's half). */
  readonly certificate: X509Certificate;
}

/**
 * Checks a key_exchange answer: `key` is std-base64 of 32 bytes and equals ECDH(other private key,
 * certificate public key), compared in constant time.
 *
 * @throws {LoginError} `PSSO_ERR_KEY_RESPONSE_STATUS`, `…_TYPE`, `…_JWE`, `…_FIELDS`, `…_TIME`,
 *   `…_KEY_MISMATCH`.
 * @example
 * ```ts
 * const r = await processKeyExchangeResponse(res, { encryptionPrivateKey, apv, otherPrivateKey, certificate });
 * r.verified; // true
 * ```
 */
export async function processKeyExchangeResponse(
  res: RecordedResponse,
  ctx: KeyExchangeContext,
): Promise<KeyExchangeResult> {
  const { body, keyContext, iat, exp } = await openResponse(res, ctx, 'processKeyExchangeResponse');
  const { key } = body;
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(key))
    throw fail('PSSO_ERR_KEY_RESPONSE_FIELDS', 'the key is not standard base64 of 32 bytes');
  const received = Buffer.from(key, 'base64');
  const expected = diffieHellman({
    privateKey: ctx.otherPrivateKey,
    publicKey: ctx.certificate.publicKey,
  });
  if (expected.length !== 32 || !timingSafeEqual(received, expected))
    throw fail(
      'PSSO_ERR_KEY_RESPONSE_KEY_MISMATCH',
      'the exchanged key is not ECDH(other key, certificate key)',
    );
  return { key: received, keyContext, iat, exp, verified: true };
}
