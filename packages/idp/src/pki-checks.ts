/**
 * The rules the IdP's own key pairs must meet, shared by loading the data folder (pki.ts) and
 * importing a key bundle (keys/bundle-format.ts): a CA certificate valid now with an ECDSA P-256
 * key, and an RSA token-signing key of 2048 bits or more.
 *
 * @module
 */
import type { KeyObject, X509Certificate } from 'node:crypto';

/**
 * What is wrong with a CA certificate and key for the IdP's use (a CA, valid now, an ECDSA P-256
 * key), or `undefined`. The pair must already match.
 *
 * @example
 * ```ts
 * const problem = caProblem(cert, key, new Date()); // 'is not a valid CA certificate (…)'
 * ```
 */
export function caProblem(cert: X509Certificate, key: KeyObject, now: Date): string | undefined {
  if (!cert.ca || new Date(cert.validTo).getTime() <= now.getTime())
    return 'is not a valid CA certificate (expired or not a CA)';
  if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return 'is not an ECDSA P-256 key';
  return undefined;
}

/**
 * What is wrong with a token-signing key (RSA, 2048 bits or more), or `undefined`.
 *
 * @example
 * ```ts
 * signingKeyProblem(pki.signingKey); // undefined
 * ```
 */
export function signingKeyProblem(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048)
    return 'is not an RSA key of 2048 bits or more';
  return undefined;
}
