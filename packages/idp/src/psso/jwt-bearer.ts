/**
 * The jwt-bearer grant of the token endpoint: the login JWT's `assertion` is an embedded assertion
 * (docs/PLATFORM-SSO.md §3.9: a JWS signed by the user's Secure Enclave key or a SmartCard key) or an
 * encrypted embedded assertion (§3.10: a JWE to the IdP's login request encryption key carrying
 * the password). A compact JWE has five parts, a JWS three.
 *
 * @module
 */
import type { JWTPayload } from 'jose';
import type { DeviceRecord } from '../state/records.js';
import { verifyEmbeddedAssertion } from './embedded-assertion.js';
import { grantEncryptedAssertion } from './encrypted-assertion.js';
import { Refusal } from './refusal.js';
import type { Granted, TokenEndpointDeps } from './token.js';

/**
 * Grants (or refuses) a jwt-bearer login request whose outer JWT already verified.
 *
 * @example
 * ```ts
 * const granted = await grantJwtBearer(claims, device, deps, source);
 * ```
 */
export async function grantJwtBearer(
  claims: JWTPayload,
  device: DeviceRecord,
  deps: TokenEndpointDeps,
  source: string,
): Promise<Granted> {
  const assertion = claims.assertion;
  if (typeof assertion !== 'string' || assertion === '' || claims.password !== undefined)
    throw new Refusal('jwt-bearer-claims');
  const parts = assertion.split('.').length;
  // A JWS (three parts): signed by the user's Secure Enclave key or a SmartCard key (§3.9).
  if (parts === 3 && deps.embedded !== undefined)
    return verifyEmbeddedAssertion(assertion, claims, device, deps, deps.embedded);
  // A compact JWE (five parts): the encrypted embedded assertion (§3.10).
  if (parts === 5) return grantEncryptedAssertion(claims, deps, source);
  throw new Refusal('jwt-bearer-unsupported');
}
