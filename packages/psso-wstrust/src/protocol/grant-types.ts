/**
 * The one vocabulary of SAML versions and OAuth grant types, shared by the client (login JWT,
 * WS-Trust token), the reference IdP (STS, token endpoint) and `check` (docs/PLATFORM-SSO.md
 * §1.6, §3.4, §3.6; docs/PROTOCOL.md §4). A SAML version is spelled `'1.1'` or `'2.0'`
 * everywhere; the grant type that carries an assertion of that version is
 * {@link samlGrantType}`(version)`.
 *
 * @module
 */

/** A SAML assertion version: what a TokenType names and what an STS issues. */
export type SamlVersion = '1.1' | '2.0';

/**
 * Both SAML versions, 1.1 (AD FS's default) first.
 *
 * @example
 * ```ts
 * SAML_VERSIONS.includes(value as SamlVersion);
 * ```
 */
export const SAML_VERSIONS: readonly SamlVersion[] = Object.freeze(['1.1', '2.0'] as const);

/**
 * Every `grant_type` value the Platform SSO exchange uses: the SAML bearer grants of RFC 7522
 * (a WS-Trust federated login), jwt-bearer (the token endpoint form, and an embedded assertion
 * login), `password`, `refresh_token`, and the nonce request's `srv_challenge`.
 *
 * @example
 * ```ts
 * claims.grant_type = GRANT_TYPE.saml2Bearer; // 'urn:ietf:params:oauth:grant-type:saml2-bearer'
 * ```
 */
export const GRANT_TYPE = Object.freeze({
  saml11Bearer: 'urn:ietf:params:oauth:grant-type:saml1_1-bearer',
  saml2Bearer: 'urn:ietf:params:oauth:grant-type:saml2-bearer',
  jwtBearer: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  password: 'password',
  refreshToken: 'refresh_token',
  serverChallenge: 'srv_challenge',
} as const);

/** Any grant type of {@link GRANT_TYPE}. */
export type GrantType = (typeof GRANT_TYPE)[keyof typeof GRANT_TYPE];

/** A SAML bearer grant type (RFC 7522). */
export type SamlGrantType = typeof GRANT_TYPE.saml11Bearer | typeof GRANT_TYPE.saml2Bearer;

/**
 * The grant type that carries an assertion of `version`.
 *
 * @example
 * ```ts
 * samlGrantType('1.1'); // 'urn:ietf:params:oauth:grant-type:saml1_1-bearer'
 * ```
 */
export function samlGrantType(version: SamlVersion): SamlGrantType {
  return version === '1.1' ? GRANT_TYPE.saml11Bearer : GRANT_TYPE.saml2Bearer;
}

/**
 * The SAML version a grant type carries, or `undefined` when it is not a SAML bearer grant.
 *
 * @example
 * ```ts
 * samlVersionOfGrant('urn:ietf:params:oauth:grant-type:saml2-bearer'); // '2.0'
 * samlVersionOfGrant('password'); // undefined
 * ```
 */
export function samlVersionOfGrant(grantType: unknown): SamlVersion | undefined {
  if (grantType === GRANT_TYPE.saml11Bearer) return '1.1';
  if (grantType === GRANT_TYPE.saml2Bearer) return '2.0';
  return undefined;
}

/**
 * The short name of a grant type for display: the last part of its URN (`saml1_1-bearer`,
 * `saml2-bearer`, `jwt-bearer`), or the value itself (`password`, `refresh_token`).
 *
 * @example
 * ```ts
 * grantTypeName(GRANT_TYPE.saml11Bearer); // 'saml1_1-bearer'
 * ```
 */
export function grantTypeName(grantType: GrantType): string {
  return grantType.slice(grantType.lastIndexOf(':') + 1);
}
