/**
 * Platform SSO 2.0 key requests at the token endpoint (docs/PLATFORM-SSO.md §3.11; docs/PSSO-PEERS.md §4.2):
 * `typ` `platformsso-key-request+jwt`, form `platform_sso_version=2.0`, `key_purpose`
 * `user_unlock`. The token endpoint has already checked the form, the device signature, `iss`,
 * exp/iat (an `aud`, when present, must be the endpoint: real Macs send none), `jwe_crypto`, and
 * consumed the server nonce; this file checks the rest, in order:
 *
 * 1. the claims' shape ({@link checkKeyRequestClaims}: version "1.0", request_type, key_purpose,
 *    username = sub, nonce, refresh_token; for key_exchange other_publickey and key_context);
 * 2. the refresh token: issued to THIS device, unused and live, looked up without rotating; its
 *    user must be the request's and must still exist;
 * 3. key_request: a fresh P-256 key, a self-signed certificate (CN = user, 1 year) and a sealed
 *    STATELESS key_context → `{certificate (b64url DER), key_context, iat, exp +300}`;
 *    key_exchange: the key_context unsealed (tampered, another device, another user, another
 *    purpose: each refused under its own label), `other_publickey` (std-b64 or b64url X9.63 P-256
 *    on the curve) → `key` = std-b64 of the 32-byte ECDH secret, left-padded to 32 bytes.
 *
 * The answer is a JWE (ECDH-ES/A256GCM to the device encryption key with the request's apv),
 * `typ` `platformsso-key-response+jwt`.
 *
 * @module
 */
import { createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { encryptLoginResponse } from 'psso-wstrust/jose';
import { canonicalUsername } from '../auth/username.js';
import type { DeviceRecord } from '../state/records.js';
import { issueUnlockKey } from './key-certificate.js';
import { openKeyContext, sealKeyContext } from './key-context.js';
import { Refusal, type RefusalReason } from './refusal.js';
import type { TokenAnswer, TokenEndpointDeps } from './token.js';

/** The `typ` of a key request (and key exchange) JWT. */
export const KEY_REQUEST_TYP = 'platformsso-key-request+jwt';
/** The `typ` of the key response JWE. */
export const KEY_RESPONSE_TYP = 'platformsso-key-response+jwt';
const PURPOSE = 'user_unlock';
/** A key_context is accepted for as long as its certificate is valid. */
const KEY_CONTEXT_MAX_AGE_SECONDS = 365 * 24 * 3600;

/** The checked claims of a key request. */
export interface KeyRequestClaims {
  readonly requestType: 'key_request' | 'key_exchange';
  readonly username: string;
  readonly refreshToken: string;
  /** key_exchange only. */
  readonly otherPublicKey?: string;
  /** key_exchange only. */
  readonly keyContext?: string;
}

const shape = (label: RefusalReason) => new Refusal(label);

function text(claims: JWTPayload, name: string, max = 16_384): string {
  const v = claims[name];
  if (typeof v !== 'string' || v === '' || v.length > max) throw shape('key-request-claims');
  return v;
}

/**
 * The shape checks of a key request's claims (the signature, iss, exp/iat are the token
 * endpoint's). Accepts what a real Mac sends (no aud, scope or client_id).
 *
 * @throws {Refusal} `key-request-version`, `key-request-type`, `key-purpose`, `key-request-claims`.
 * @example
 * ```ts
 * const c = checkKeyRequestClaims(claims); // c.requestType === 'key_exchange'
 * ```
 */
export function checkKeyRequestClaims(claims: JWTPayload): KeyRequestClaims {
  if (claims.version !== '1.0') throw shape('key-request-version');
  const type = claims.request_type;
  if (type !== 'key_request' && type !== 'key_exchange') throw shape('key-request-type');
  if (claims.key_purpose !== PURPOSE) throw shape('key-purpose');
  const username = text(claims, 'username', 1024);
  if (claims.sub !== undefined && claims.sub !== username) throw shape('key-request-claims');
  text(claims, 'nonce', 1024);
  const refreshToken = text(claims, 'refresh_token', 4096);
  if (type === 'key_request') {
    if (claims.other_publickey !== undefined || claims.key_context !== undefined)
      throw shape('key-request-claims');
    return { requestType: type, username, refreshToken };
  }
  return {
    requestType: type,
    username,
    refreshToken,
    otherPublicKey: text(claims, 'other_publickey', 1024),
    keyContext: text(claims, 'key_context'),
  };
}

/**
 * A P-256 public key from std-b64 (or b64url, like Fleet) X9.63 `04‖X‖Y`; a point not on the
 * curve does not import.
 *
 * @throws {Refusal} `other-publickey-invalid`.
 * @example
 * ```ts
 * const other = otherPublicKey(claims.other_publickey);
 * ```
 */
export function otherPublicKey(value: string): KeyObject {
  const invalid = () => new Refusal('other-publickey-invalid');
  if (!/^[A-Za-z0-9+/_-]{86,88}={0,2}$/.test(value)) throw invalid();
  const point = Buffer.from(value, 'base64');
  if (point.length !== 65 || point[0] !== 0x04) throw invalid();
  try {
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    throw invalid();
  }
}

/** std-b64 of the ECDH secret, left-padded to 32 bytes (a short X loses leading zeros elsewhere). */
function exchangedKey(privateKey: KeyObject, publicKey: KeyObject): string {
  let secret: Buffer;
  try {
    secret = diffieHellman({ privateKey, publicKey });
  } catch {
    throw new Refusal('other-publickey-invalid');
  }
  const padded = Buffer.alloc(32);
  secret.copy(padded, 32 - Math.min(32, secret.length));
  return padded.toString('base64');
}

/**
 * Answers a key request whose JWT, device and server nonce the token endpoint verified.
 *
 * @throws {Refusal} for anything refused (the token endpoint turns it into the wire answer).
 * @example
 * ```ts
 * if (header.typ === KEY_REQUEST_TYP) return await handleKeyRequest(claims, device, apv, deps);
 * ```
 */
export async function handleKeyRequest(
  claims: JWTPayload,
  device: DeviceRecord,
  apv: string,
  deps: TokenEndpointDeps,
): Promise<TokenAnswer> {
  const c = checkKeyRequestClaims(claims);
  const key = deps.keyContextKey;
  if (key === undefined) throw new Refusal('key-requests-unsupported');
  const r = await deps.refreshTokens.lookup(c.refreshToken, {
    clientId: device.clientId,
    deviceKid: device.signingKid,
  });
  if (!r.ok) throw new Refusal(`key-refresh-token-${r.reason}`);
  if (canonicalUsername(r.grant.upn) !== canonicalUsername(c.username))
    throw new Refusal('key-request-user-mismatch');
  const user = await deps.user(r.grant.upn);
  if (user === undefined) throw new Refusal('key-request-unknown-user');
  const nowDate = deps.clock();
  const now = Math.floor(nowDate.getTime() / 1000);
  let body: Record<string, unknown>;
  if (c.requestType === 'key_request') {
    const unlock = await issueUnlockKey(user.upn, nowDate);
    const keyContext = sealKeyContext(key, {
      privateKey: unlock.privateKey,
      deviceKid: device.signingKid,
      upn: user.upn,
      purpose: PURPOSE,
      issuedAt: now,
    });
    body = {
      certificate: unlock.certificateDer.toString('base64url'),
      key_context: keyContext,
      iat: now,
      exp: now + 300,
    };
  } else {
    const opened = openKeyContext(key, c.keyContext, {
      deviceKid: device.signingKid,
      upn: user.upn,
      purpose: PURPOSE,
      now,
      maxAgeSeconds: KEY_CONTEXT_MAX_AGE_SECONDS,
      sameUser: (a, b) => canonicalUsername(a) === canonicalUsername(b),
    });
    if (!opened.ok) {
      throw new Refusal(opened.reason);
    }
    const other = otherPublicKey(c.otherPublicKey ?? '');
    body = {
      key: exchangedKey(opened.context.privateKey, other),
      key_context: c.keyContext,
      iat: now,
      exp: now + 300,
    };
  }
  const jwe = await encryptLoginResponse(body, {
    deviceEncryptionPublicKey: device.encryptionKey,
    apv,
    typ: KEY_RESPONSE_TYP,
  });
  return {
    status: 200,
    contentType: 'application/platformsso-key-response+jwt; charset=utf-8',
    body: jwe,
    outcome: 'issued',
    issued: { user: user.upn, clientId: device.clientId, method: c.requestType },
  };
}
