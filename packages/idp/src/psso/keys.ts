/**
 * The key the IdP signs Platform SSO id_tokens with (its RSA token-signing key, RS256) and the
 * JWKS that publishes it.
 *
 * @module
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** An id_token signing key with its `kid` and public JWK. */
export interface IdTokenKey {
  readonly privateKey: KeyObject;
  readonly kid: string;
  readonly alg: 'RS256';
  readonly publicJwk: JWK;
}

/**
 * Derives the id_token key from an RSA private key; `kid` is the RFC 7638 thumbprint.
 *
 * @example
 * ```ts
 * const key = await idTokenKey(pki.signingKey);
 * const jwks = { keys: [key.publicJwk] };
 * ```
 */
export async function idTokenKey(privateKey: KeyObject): Promise<IdTokenKey> {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  if (jwk.kty !== 'RSA' || jwk.n === undefined || jwk.e === undefined)
    throw new TypeError('an RSA key is required');
  return {
    privateKey,
    kid,
    alg: 'RS256',
    publicJwk: { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' },
  };
}
