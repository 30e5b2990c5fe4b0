/**
 * The encrypted embedded assertion at the token endpoint (docs/PLATFORM-SSO.md §3.10, §3.5; docs/PSSO-PEERS.md
 * §4.4): a jwt-bearer login whose `assertion` is a compact JWE to the IdP's login request
 * encryption key, carrying the password. The outer login JWT has already verified (device
 * signature, audience, times) and its server nonce has been consumed.
 *
 * Checks, in order, each with its own refusal label:
 * 1. the header: `alg` `ECDH-ES` + `enc` `A256GCM` (`-alg`), `typ`
 *    `platformsso-encrypted-login-assertion+jwt` (`-typ`);
 * 2. the `apv`: exactly three length-prefixed fields (`-apv`): the configured prefix (`-apv`), the
 *    X9.63 point of OUR key (`-apv-key`), the outer JWT's server nonce (`-apv-nonce`; the context
 *    nonce there is Fleet's mistake and is refused). Binding the server nonce makes an assertion
 *    from another login useless: that nonce was consumed once;
 * 3. decryption with jose `compactDecrypt` (`-decrypt`); any `apu` is accepted (Apple does not
 *    document the device's; it enters the KDF either way), and a header `kid` is not read (the
 *    `apv` names the key);
 * 4. the plaintext: a JSON object of claims (`-claims`; a compact JWT is refused, Apple sends the
 *    claims), `iss` = `sub` (= `username` when present) = the outer user (`-user`), `nonce`
 *    (`-nonce`), `request_nonce` (`-request-nonce`), `scope` (`-scope`), `aud` = this token
 *    endpoint (`-audience`), `iat` not in the future (`-iat`), `exp` not past (`-expired`), within
 *    the skew; `password` a non-empty string of at most 1 KiB (`-password`);
 * 5. the IdP's one password check (same lockout, queue and source as the `password` grant;
 *    federated users refused), whose refusals are the password grant's.
 *
 * Structure failures are request failures (`suberror: device_authentication_failed`: the user is
 * not asked for the password again); only the password check says "bad credentials". Nothing here
 * says whether the user exists, and the password is never logged.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { compactDecrypt, decodeProtectedHeader, type JWTPayload } from 'jose';
import {
  EMBEDDED_APV_PREFIX,
  ENCRYPTED_ASSERTION_TYP,
  MAX_ASSERTION_PASSWORD_BYTES,
  parseEmbeddedApv,
} from 'psso-wstrust/jose';
import { canonicalUsername } from '../auth/username.js';
import type { LoginRequestEncryptionKey } from './login-encryption-key.js';
import { Refusal } from './refusal.js';
import type { Granted, TokenEndpointDeps } from './token.js';

/** What the outer (already verified) login JWT says. */
export interface OuterLogin {
  readonly username: string;
  readonly nonce: string;
  /** The server nonce (the outer `request_nonce`). */
  readonly requestNonce: string;
  readonly scope: string;
}

/** What {@link openEncryptedAssertion} checks against. */
export interface EncryptedAssertionContext {
  readonly key: LoginRequestEncryptionKey;
  /** The expected inner `aud` (this token endpoint). */
  readonly audience: string;
  readonly now: Date;
  readonly skewSeconds: number;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks the header and `apv`, decrypts, and checks the inner claims against the outer login.
 * Returns the password (to be checked by the caller).
 *
 * @throws {Refusal} `encrypted-assertion-*` (see the module header).
 * @example
 * ```ts
 * const { password } = await openEncryptedAssertion(claims.assertion, outer, {
 *   key, audience: deps.endpoint(), now: deps.clock(), skewSeconds: deps.skewSeconds,
 * });
 * ```
 */
export async function openEncryptedAssertion(
  jwe: string,
  outer: OuterLogin,
  ctx: EncryptedAssertionContext,
): Promise<{ readonly password: string }> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwe);
  } catch {
    throw new Refusal('encrypted-assertion-malformed');
  }
  if (header.alg !== 'ECDH-ES' || header.enc !== 'A256GCM')
    throw new Refusal('encrypted-assertion-alg');
  if (header.typ !== ENCRYPTED_ASSERTION_TYP) throw new Refusal('encrypted-assertion-typ');
  const apv = parseEmbeddedApv(header.apv);
  if (apv === undefined)
    throw new Refusal('encrypted-assertion-apv', 'not three length-prefixed fields');
  if (!same(apv.prefix, Buffer.from(ctx.key.apvPrefix || EMBEDDED_APV_PREFIX, 'utf8')))
    throw new Refusal('encrypted-assertion-apv', 'prefix');
  if (!same(apv.key, ctx.key.x963)) throw new Refusal('encrypted-assertion-apv-key');
  if (!same(apv.serverNonce, Buffer.from(outer.requestNonce, 'utf8')))
    throw new Refusal('encrypted-assertion-apv-nonce');
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe, ctx.key.privateKey, {
      keyManagementAlgorithms: ['ECDH-ES'],
      contentEncryptionAlgorithms: ['A256GCM'],
    }));
  } catch (e) {
    throw new Refusal('encrypted-assertion-decrypt', (e as { code?: string }).code);
  }
  return { password: checkClaims(parseClaims(plaintext), outer, ctx) };
}

function parseClaims(plaintext: Uint8Array): Record<string, unknown> {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new Refusal('encrypted-assertion-claims', 'not JSON');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new Refusal('encrypted-assertion-claims', 'not a JSON object');
  return claims as Record<string, unknown>;
}

function checkClaims(
  c: Record<string, unknown>,
  outer: OuterLogin,
  ctx: EncryptedAssertionContext,
): string {
  const user = canonicalUsername(outer.username);
  for (const name of ['sub', 'iss'] as const)
    if (typeof c[name] !== 'string')
      throw new Refusal('encrypted-assertion-claims', `${name} missing`);
  const names = [c.sub, c.iss, ...(c.username === undefined ? [] : [c.username])];
  if (!names.every((n) => typeof n === 'string' && canonicalUsername(n) === user))
    throw new Refusal('encrypted-assertion-user');
  if (c.nonce !== outer.nonce) throw new Refusal('encrypted-assertion-nonce');
  if (c.request_nonce !== outer.requestNonce)
    throw new Refusal('encrypted-assertion-request-nonce');
  if (c.scope !== outer.scope) throw new Refusal('encrypted-assertion-scope');
  const aud = c.aud;
  if (!(aud === ctx.audience || (Array.isArray(aud) && aud.includes(ctx.audience))))
    throw new Refusal('encrypted-assertion-audience');
  const { iat, exp } = c;
  if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isFinite(iat + exp))
    throw new Refusal('encrypted-assertion-claims', 'iat/exp missing');
  const now = ctx.now.getTime() / 1000;
  if (iat - now > ctx.skewSeconds) throw new Refusal('encrypted-assertion-iat');
  if (now - exp > ctx.skewSeconds) throw new Refusal('encrypted-assertion-expired');
  const { password } = c;
  if (
    typeof password !== 'string' ||
    password === '' ||
    Buffer.byteLength(password, 'utf8') > MAX_ASSERTION_PASSWORD_BYTES
  )
    throw new Refusal('encrypted-assertion-password');
  return password;
}

/**
 * The jwt-bearer grant for a compact JWE `assertion`: opens it ({@link openEncryptedAssertion})
 * and runs the one password check, exactly as the `password` grant does.
 *
 * @throws {Refusal} `encrypted-assertion-*`, `password-for-federated-user`, or the password
 *   check's reason (`bad-credentials`, `locked-out`).
 * @example
 * ```ts
 * if (assertion.split('.').length === 5) return grantEncryptedAssertion(claims, deps, source);
 * ```
 */
export async function grantEncryptedAssertion(
  claims: JWTPayload,
  deps: TokenEndpointDeps,
  source: string,
): Promise<Granted> {
  const key = deps.loginRequestEncryption;
  if (key === undefined) throw new Refusal('encrypted-assertion-unsupported');
  const outer = {
    username: claims.username,
    nonce: claims.nonce,
    requestNonce: claims.request_nonce,
    scope: claims.scope,
  };
  const checks = [
    ['encrypted-assertion-outer-username', outer.username],
    ['encrypted-assertion-outer-nonce', outer.nonce],
    ['encrypted-assertion-outer-requestNonce', outer.requestNonce],
    ['encrypted-assertion-outer-scope', outer.scope],
  ] as const;
  for (const [reason, v] of checks)
    if (typeof v !== 'string' || v === '') throw new Refusal(reason);
  const { password } = await openEncryptedAssertion(String(claims.assertion), outer as OuterLogin, {
    key,
    audience: deps.endpoint(),
    now: deps.clock(),
    skewSeconds: deps.skewSeconds,
  });
  const username = outer.username as string;
  if (deps.isFederated(username)) throw new Refusal('password-for-federated-user');
  // The one password check: the STS's lockout, the same queue; locked answers as wrong.
  const r = await deps.passwords.check(username, password, source);
  if (!r.ok) throw new Refusal(r.reason);
  return { upn: r.user.upn };
}
