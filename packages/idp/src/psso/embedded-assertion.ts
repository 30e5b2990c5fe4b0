/**
 * The IdP's check of an embedded assertion (docs/PLATFORM-SSO.md §3.9; docs/PSSO-PEERS.md §4.3): the JWS
 * in a jwt-bearer login JWT's `assertion`, signed by the user's Secure Enclave key or a SmartCard
 * key. The outer login JWT has already been verified (a registered device signed it, its server
 * nonce consumed). In order:
 *
 * 1. header: `typ` `platformsso-login-assertion+jwt` (or `JWT`), `alg` RS256, ES256 or ES384 only;
 * 2. the key: with `x5c`, a SmartCard: the chain must lead to a trusted CA (see `smartcard.ts`) and
 *    the leaf's key signs; without, a Secure Enclave key: the `kid` must be a key registered to the
 *    outer JWT's user;
 * 3. `alg` must be the key's (RSA → RS256, P-256 → ES256, P-384 → ES384), then the signature;
 * 4. claims: `iss` and `sub` the outer user (canonical form), `nonce` and `request_nonce` equal to
 *    the outer ones, `scope` equal, `aud` this token endpoint's URL or the device's client id (a
 *    Mac sends the configured `audience`, which administrators set to either), `iat` not in the
 *    future and `exp` not past (both within the skew);
 * 5. SmartCard: the certificate names the outer user (UPN, else email, as configured); the user
 *    must exist.
 *
 * Each refusal has its own label (logs, metrics); the client only gets the generic "credentials
 * refused", so no answer says whether a user exists. The password lockout is not involved.
 *
 * @module
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, type JWTPayload } from 'jose';
import { assertionAlgorithm, EMBEDDED_ASSERTION_TYP } from 'psso-wstrust/jose';
import { canonicalUsername } from '../auth/username.js';
import type { DeviceRecord, UserKeyRecord } from '../state/records.js';
import { Refusal, type RefusalReason } from './refusal.js';
import { type SmartCardMapping, smartCardUser, verifySmartCardChain } from './smartcard.js';
import type { TokenEndpointDeps } from './token.js';

/** What the embedded-assertion check needs beyond the token endpoint's dependencies. */
export interface EmbeddedAssertionDeps {
  /** The user key with this `kid` (whoever owns it). */
  readonly userKey: (kid: string) => Promise<UserKeyRecord | undefined>;
  /** The CAs trusted to issue SmartCard certificates. */
  readonly smartCardCas: () => Promise<readonly X509Certificate[]>;
  /** How a SmartCard certificate names its user, in order (default UPN, then email). */
  readonly smartCardMapping?: readonly SmartCardMapping[] | undefined;
}

/** The method an embedded assertion authenticated with. */
export type AssertionMethod = 'userSecureEnclaveKey' | 'smartCard';

const TYPS = new Set([EMBEDDED_ASSERTION_TYP, 'JWT']);
const ALGS = new Set(['RS256', 'ES256', 'ES384']);

const refuse = (label: RefusalReason, detail?: string): never => {
  throw new Refusal(label, detail);
};

/**
 * Verifies the embedded assertion of an already verified login JWT (`outer`) from `device`;
 * resolves the authenticated user.
 *
 * @throws {Refusal} `assertion-malformed` (400), `assertion-typ`, `assertion-alg`,
 *   `assertion-unknown-key`, `assertion-signature`, `assertion-claims`, `assertion-user-mismatch`,
 *   `assertion-nonce`, `assertion-request-nonce`, `assertion-scope`, `assertion-audience`,
 *   `assertion-iat-future`, `assertion-expired`, `smartcard-x5c`, `smartcard-untrusted`,
 *   `smartcard-expired`, `smartcard-key-usage`, `smartcard-weak-key`, `smartcard-no-user` (401).
 * @example
 * ```ts
 * const { upn, method } = await verifyEmbeddedAssertion(claims.assertion, claims, device, deps, embedded);
 * ```
 */
export async function verifyEmbeddedAssertion(
  assertion: string,
  outer: JWTPayload,
  device: DeviceRecord,
  deps: TokenEndpointDeps,
  embedded: EmbeddedAssertionDeps,
): Promise<{ readonly upn: string; readonly method: AssertionMethod }> {
  const username = outer.username;
  if (typeof username !== 'string' || username === '') throw new Refusal('claim-username');
  const user = canonicalUsername(username);
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw new Refusal('assertion-malformed');
  }
  if (typeof header.typ !== 'string' || !TYPS.has(header.typ)) refuse('assertion-typ');
  if (typeof header.alg !== 'string' || !ALGS.has(header.alg))
    refuse('assertion-alg', String(header.alg).slice(0, 20));
  const now = deps.clock();
  let key: KeyObject;
  let leaf: X509Certificate | undefined;
  if (header.x5c !== undefined) {
    const r = await verifySmartCardChain(header.x5c, await embedded.smartCardCas(), now);
    if (typeof r === 'string') return refuse(r);
    ({ publicKey: key, leaf } = r);
  } else {
    const record = typeof header.kid === 'string' ? await embedded.userKey(header.kid) : undefined;
    // Another user's key answers as an unknown one: nothing tells which users have keys.
    if (record === undefined || canonicalUsername(record.upn) !== user)
      return refuse('assertion-unknown-key');
    key = record.publicKey;
  }
  const alg = header.alg as string;
  if (assertionAlgorithm(key) !== alg) refuse('assertion-alg', 'not the key’s algorithm');
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(assertion, key, { algorithms: [alg] }));
  } catch (e) {
    return refuse('assertion-signature', (e as Error).message);
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return refuse('assertion-claims');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    return refuse('assertion-claims');
  checkClaims(claims, outer, user, [deps.endpoint(), device.clientId], now, deps.skewSeconds);
  if (leaf !== undefined) {
    const named = await smartCardUser(leaf, embedded.smartCardMapping);
    if (named === undefined) refuse('smartcard-no-user');
    else if (canonicalUsername(named) !== user) refuse('assertion-user-mismatch', 'certificate');
  }
  const found = await deps.user(username);
  if (found === undefined)
    return refuse(leaf === undefined ? 'assertion-unknown-key' : 'smartcard-no-user');
  return { upn: found.upn, method: leaf === undefined ? 'userSecureEnclaveKey' : 'smartCard' };
}

function checkClaims(
  c: Record<string, unknown>,
  outer: JWTPayload,
  user: string,
  audiences: readonly string[],
  now: Date,
  skewSeconds: number,
): void {
  const same = (v: unknown) => typeof v === 'string' && canonicalUsername(v) === user;
  if (!same(c.sub) || !same(c.iss)) refuse('assertion-user-mismatch');
  if (typeof c.nonce !== 'string' || c.nonce !== outer.nonce) refuse('assertion-nonce');
  if (typeof c.request_nonce !== 'string' || c.request_nonce !== outer.request_nonce)
    refuse('assertion-request-nonce');
  if (typeof c.scope !== 'string' || c.scope !== outer.scope) refuse('assertion-scope');
  const aud = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud : [];
  if (!aud.some((a) => typeof a === 'string' && audiences.includes(a)))
    refuse('assertion-audience');
  if (typeof c.iat !== 'number' || typeof c.exp !== 'number') refuse('assertion-claims');
  const t = now.getTime() / 1000;
  if ((c.iat as number) - t > skewSeconds) refuse('assertion-iat-future');
  if (t - (c.exp as number) > skewSeconds) refuse('assertion-expired');
}
