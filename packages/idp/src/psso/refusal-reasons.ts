/**
 * Every reason the Platform SSO endpoints (`/psso/token`, `/psso/user-keys`) refuse a request, as
 * a closed list: the label logs and metrics carry (`reason` on the access line,
 * `psso_idp_faults_total{reason="psso-…"}`) and the wire answer (a key of {@link REFUSAL_WIRE}).
 * The compiler refuses a label that is not here, so metrics label cardinality is bounded by this
 * list; docs/IDP-REFUSALS.md is generated from it (`node --import tsx scripts/refusal-reasons.ts`).
 *
 * @module
 */

/** The wire answer of a refusal: HTTP status, OAuth `error`, and whether it is the device's. */
export interface RefusalWire {
  readonly status: 400 | 401;
  readonly error: 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type';
  /** A device or request failure: the answer adds `suberror: device_authentication_failed`. */
  readonly device: boolean;
}

/**
 * The wire answers. `credentials` is the only one a client's invalidCredentialPredicate (Entra's:
 * `error = 'invalid_grant' AND suberror != 'device_authentication_failed'`) takes for bad
 * credentials, so only it makes a Mac ask for the password again.
 */
export const REFUSAL_WIRE = Object.freeze({
  /** 400 `invalid_request`: the request is malformed (not the device's fault). */
  malformed: { status: 400, error: 'invalid_request', device: false },
  /** 400 `invalid_request` + `suberror: device_authentication_failed`. */
  malformedDevice: { status: 400, error: 'invalid_request', device: true },
  /** 400 `unsupported_grant_type`. */
  unsupported: { status: 400, error: 'unsupported_grant_type', device: false },
  /** 400 `unsupported_grant_type` + `suberror: device_authentication_failed`. */
  unsupportedDevice: { status: 400, error: 'unsupported_grant_type', device: true },
  /** 401 `invalid_grant` + `suberror: device_authentication_failed`: the device or request. */
  device: { status: 401, error: 'invalid_grant', device: true },
  /** 401 `invalid_grant`: the credentials (password, assertion, key, refresh token). */
  credentials: { status: 401, error: 'invalid_grant', device: false },
} as const satisfies Record<string, RefusalWire>);

/** What one reason means and which wire answer it gets. */
export interface RefusalSpec {
  readonly wire: keyof typeof REFUSAL_WIRE;
  /** What was wrong, for operators (the client gets a generic description). */
  readonly summary: string;
}

/**
 * The refusal reasons of the Platform SSO endpoints, grouped by the step that refuses.
 *
 * @example
 * ```ts
 * REFUSAL_REASONS['server-nonce-replayed'].wire; // 'device'
 * ```
 */
export const REFUSAL_REASONS = Object.freeze({
  // The form and the request JWT (token endpoint and user-key registration).
  'form-grant-type': {
    wire: 'unsupportedDevice',
    summary: 'The form grant_type is not jwt-bearer.',
  },
  'platform-sso-version': {
    wire: 'malformedDevice',
    summary: 'platform_sso_version is not 1.0 or 2.0, or 2.0 without a key request.',
  },
  'no-jwt': { wire: 'malformedDevice', summary: 'No request JWT (or one over the size limit).' },
  'jwt-malformed': { wire: 'malformedDevice', summary: 'The request JWT does not decode.' },
  'jwt-alg': { wire: 'device', summary: 'The request JWT is not ES256.' },
  'jwt-typ': { wire: 'device', summary: 'The request JWT typ is not one this endpoint takes.' },
  'unknown-device': { wire: 'device', summary: 'The kid names no registered device.' },
  'jwt-client-id': {
    wire: 'device',
    summary: 'iss or client_id is not the client_id the device was registered for.',
  },
  'jwt-audience': { wire: 'device', summary: 'The JWT aud is not this endpoint.' },
  'jwt-invalid': {
    wire: 'device',
    summary: 'The signature, exp or iat did not verify with the device signing key.',
  },
  'jwt-iat-future': {
    wire: 'device',
    summary: 'The JWT was issued in the future (beyond the skew).',
  },
  // The server nonce.
  'server-nonce-missing': { wire: 'device', summary: 'No request_nonce.' },
  'server-nonce-malformed': { wire: 'device', summary: 'The request_nonce is not a sealed nonce.' },
  'server-nonce-forged': {
    wire: 'device',
    summary: "The nonce's seal does not verify (another key).",
  },
  'server-nonce-expired': { wire: 'device', summary: 'The nonce is older than its lifetime.' },
  'server-nonce-future': { wire: 'device', summary: 'The nonce was issued in the future.' },
  'server-nonce-replayed': { wire: 'device', summary: 'The nonce was already consumed.' },
  // Response encryption (jwe_crypto).
  'jwe-crypto': {
    wire: 'malformedDevice',
    summary: 'jwe_crypto is missing or malformed (or not ECDH-ES for a key request).',
  },
  'jwe-crypto-mismatch': {
    wire: 'malformedDevice',
    summary: "jwe_crypto is not the device's registered encryption algorithm or key.",
  },
  'hpke-nonce': {
    wire: 'malformedDevice',
    summary: 'An HPKE response needs a nonce of 1 to 128 bytes (the HPKE info).',
  },
  // The grant.
  'jwt-grant-type': { wire: 'unsupported', summary: "The JWT's grant_type is not supported." },
  'claim-username': { wire: 'malformed', summary: 'No username claim.' },
  'saml-claims': {
    wire: 'malformed',
    summary: 'A SAML grant without an assertion, or with a password.',
  },
  'refused:PSSO_ERR_SAML_MALFORMED': {
    wire: 'credentials',
    summary: 'The SAML assertion is not one well-formed assertion (wrapping, bad base64…).',
  },
  'refused:PSSO_ERR_SAML_SIGNATURE': {
    wire: 'credentials',
    summary: 'The SAML assertion is not signed by a trusted certificate with an allowed algorithm.',
  },
  'refused:PSSO_ERR_SAML_GRANT_MISMATCH': {
    wire: 'credentials',
    summary: "The grant_type's SAML version is not the assertion's.",
  },
  'refused:PSSO_ERR_SAML_ISSUER': {
    wire: 'credentials',
    summary: 'The assertion issuer is not trusted.',
  },
  'refused:PSSO_ERR_SAML_AUDIENCE': {
    wire: 'credentials',
    summary: 'The assertion audience is not this relying party.',
  },
  'refused:PSSO_ERR_SAML_RECIPIENT': {
    wire: 'credentials',
    summary: 'The SAML 2.0 Recipient is not this token endpoint, or NotOnOrAfter is missing.',
  },
  'refused:PSSO_ERR_SAML_CONDITIONS': {
    wire: 'credentials',
    summary: 'The assertion is not valid now, or has a condition not understood.',
  },
  'refused:PSSO_ERR_SAML_SUBJECT': {
    wire: 'credentials',
    summary: 'The assertion has no usable bearer subject.',
  },
  'refused:PSSO_ERR_SAML_REPLAY': {
    wire: 'credentials',
    summary: 'The assertion was already used.',
  },
  'refused-other': {
    wire: 'credentials',
    summary: 'Another library rule refused what the client sent (its code is in the detail).',
  },
  'saml-subject-not-user': {
    wire: 'credentials',
    summary: "The assertion's subject is not the JWT's username.",
  },
  'saml-unknown-user': { wire: 'credentials', summary: "The assertion's subject is no user here." },
  'password-claims': {
    wire: 'malformed',
    summary: 'A password grant without a password, or with an assertion.',
  },
  'password-for-federated-user': {
    wire: 'credentials',
    summary: 'A password grant for a federated user (they log in with SAML).',
  },
  'bad-credentials': { wire: 'credentials', summary: 'A wrong password or an unknown user.' },
  'locked-out': {
    wire: 'credentials',
    summary: 'The account is locked out for this source (answered as a wrong password).',
  },
  // Refresh tokens (rotate at the token endpoint, look up at /psso/user-keys).
  'refresh-token-unknown': { wire: 'credentials', summary: 'No such refresh token.' },
  'refresh-token-expired': { wire: 'credentials', summary: 'The refresh token has expired.' },
  'refresh-token-other-device': {
    wire: 'credentials',
    summary: 'The refresh token was issued to another device (not consumed).',
  },
  'refresh-token-reuse': {
    wire: 'credentials',
    summary: 'A rotated refresh token presented again: its whole family is revoked.',
  },
  'refresh-token-revoked': { wire: 'credentials', summary: "The token's family was revoked." },
  'refresh-token-used': {
    wire: 'credentials',
    summary: 'A rotated refresh token presented to /psso/user-keys (a look-up: nothing revoked).',
  },
  'refresh-unknown-user': { wire: 'credentials', summary: "The refresh token's user is gone." },
  // Embedded assertions (Secure Enclave key, SmartCard).
  'jwt-bearer-claims': {
    wire: 'malformed',
    summary: 'A jwt-bearer grant without an assertion, or with a password.',
  },
  'jwt-bearer-unsupported': {
    wire: 'unsupported',
    summary: 'The assertion is neither a JWS this IdP checks nor a JWE.',
  },
  'assertion-malformed': { wire: 'malformed', summary: 'The embedded assertion does not decode.' },
  'assertion-typ': { wire: 'credentials', summary: 'The embedded assertion typ is wrong.' },
  'assertion-alg': {
    wire: 'credentials',
    summary: "The embedded assertion alg is not RS256/ES256/ES384, or not the key's.",
  },
  'assertion-unknown-key': {
    wire: 'credentials',
    summary: "The kid is no key of this user (another user's key answers the same).",
  },
  'assertion-signature': {
    wire: 'credentials',
    summary: 'The embedded assertion does not verify.',
  },
  'assertion-claims': {
    wire: 'credentials',
    summary: 'The embedded assertion claims are not a JSON object, or lack iat/exp.',
  },
  'assertion-user-mismatch': {
    wire: 'credentials',
    summary: "iss/sub (or the SmartCard certificate) is not the login's user.",
  },
  'assertion-nonce': { wire: 'credentials', summary: "The nonce is not the login JWT's." },
  'assertion-request-nonce': {
    wire: 'credentials',
    summary: "The request_nonce is not the login JWT's.",
  },
  'assertion-scope': { wire: 'credentials', summary: "The scope is not the login JWT's." },
  'assertion-audience': {
    wire: 'credentials',
    summary: "aud is neither this endpoint nor the device's client id.",
  },
  'assertion-iat-future': {
    wire: 'credentials',
    summary: 'Issued in the future (beyond the skew).',
  },
  'assertion-expired': { wire: 'credentials', summary: 'Expired (beyond the skew).' },
  'smartcard-x5c': { wire: 'credentials', summary: 'The x5c header is not a certificate chain.' },
  'smartcard-untrusted': {
    wire: 'credentials',
    summary: 'The chain does not lead to a trusted SmartCard CA (or the leaf is a CA).',
  },
  'smartcard-expired': {
    wire: 'credentials',
    summary: 'A certificate of the chain is not valid now.',
  },
  'smartcard-key-usage': {
    wire: 'credentials',
    summary: "The leaf's key usage does not allow signing.",
  },
  'smartcard-weak-key': {
    wire: 'credentials',
    summary: 'The card key is RSA under 2048 bits or an unsupported curve.',
  },
  'smartcard-no-user': {
    wire: 'credentials',
    summary: 'The certificate names no user (UPN, email) of this IdP.',
  },
  // Encrypted embedded assertions (password in a JWE, §3.10).
  'encrypted-assertion-unsupported': {
    wire: 'unsupported',
    summary: 'This IdP has no login request encryption key.',
  },
  'encrypted-assertion-outer-username': {
    wire: 'malformed',
    summary: 'The login JWT has no username.',
  },
  'encrypted-assertion-outer-nonce': { wire: 'malformed', summary: 'The login JWT has no nonce.' },
  'encrypted-assertion-outer-requestNonce': {
    wire: 'malformed',
    summary: 'The login JWT has no request_nonce.',
  },
  'encrypted-assertion-outer-scope': { wire: 'malformed', summary: 'The login JWT has no scope.' },
  'encrypted-assertion-malformed': {
    wire: 'malformedDevice',
    summary: 'The JWE does not decode.',
  },
  'encrypted-assertion-alg': { wire: 'device', summary: 'Not ECDH-ES with A256GCM.' },
  'encrypted-assertion-typ': { wire: 'device', summary: 'The JWE typ is wrong.' },
  'encrypted-assertion-apv': {
    wire: 'device',
    summary: 'The apv is not three length-prefixed fields, or has another prefix.',
  },
  'encrypted-assertion-apv-key': {
    wire: 'device',
    summary: "The apv names another key than the IdP's.",
  },
  'encrypted-assertion-apv-nonce': {
    wire: 'device',
    summary: 'The apv is bound to another nonce than the server nonce.',
  },
  'encrypted-assertion-decrypt': { wire: 'device', summary: 'The JWE does not decrypt.' },
  'encrypted-assertion-claims': {
    wire: 'device',
    summary: 'The inner claims are not a JSON object, or lack sub/iss/iat/exp.',
  },
  'encrypted-assertion-user': {
    wire: 'device',
    summary: "sub/iss/username is not the login's user.",
  },
  'encrypted-assertion-nonce': { wire: 'device', summary: "The nonce is not the login JWT's." },
  'encrypted-assertion-request-nonce': {
    wire: 'device',
    summary: "The request_nonce is not the login JWT's.",
  },
  'encrypted-assertion-scope': { wire: 'device', summary: "The scope is not the login JWT's." },
  'encrypted-assertion-audience': { wire: 'device', summary: 'aud is not this endpoint.' },
  'encrypted-assertion-iat': { wire: 'device', summary: 'Issued in the future (beyond the skew).' },
  'encrypted-assertion-expired': { wire: 'device', summary: 'Expired (beyond the skew).' },
  'encrypted-assertion-password': {
    wire: 'device',
    summary: 'The password is missing, empty or over 1 KiB.',
  },
  // Platform SSO 2.0 key requests and key exchanges.
  'key-requests-unsupported': {
    wire: 'unsupported',
    summary: 'This IdP has no key_context key.',
  },
  'key-request-version': { wire: 'malformed', summary: 'The key request version is not "1.0".' },
  'key-request-type': {
    wire: 'malformed',
    summary: 'request_type is not key_request or key_exchange.',
  },
  'key-purpose': { wire: 'malformed', summary: 'key_purpose is not user_unlock.' },
  'key-request-claims': {
    wire: 'malformed',
    summary: 'A claim is missing, too long, or not allowed for the request type.',
  },
  'other-publickey-invalid': {
    wire: 'malformed',
    summary: 'other_publickey is not an X9.63 P-256 point on the curve.',
  },
  'key-refresh-token-unknown': { wire: 'credentials', summary: 'No such refresh token.' },
  'key-refresh-token-expired': { wire: 'credentials', summary: 'The refresh token has expired.' },
  'key-refresh-token-other-device': {
    wire: 'credentials',
    summary: 'The refresh token was issued to another device.',
  },
  'key-refresh-token-revoked': { wire: 'credentials', summary: "The token's family was revoked." },
  'key-refresh-token-used': { wire: 'credentials', summary: 'The refresh token was rotated.' },
  'key-request-user-mismatch': {
    wire: 'credentials',
    summary: "The refresh token's user is not the request's.",
  },
  'key-request-unknown-user': {
    wire: 'credentials',
    summary: "The refresh token's user is gone.",
  },
  'key-context-invalid': {
    wire: 'malformed',
    summary: 'The key_context is tampered with or not this IdP’s.',
  },
  'key-context-other-device': {
    wire: 'device',
    summary: 'The key_context was issued to another device.',
  },
  'key-context-other-user': {
    wire: 'credentials',
    summary: 'The key_context was issued to another user.',
  },
  'key-context-purpose': {
    wire: 'credentials',
    summary: 'The key_context is for another purpose.',
  },
  'key-context-expired': {
    wire: 'credentials',
    summary: 'The key_context is older than its certificate.',
  },
  // User-key registration.
  'invalid-user-key': {
    wire: 'malformed',
    summary: "user_key is not a P-256 public JWK, or is another user's key.",
  },
} as const satisfies Record<string, RefusalSpec>);

/** A reason a Platform SSO request is refused: the closed union of {@link REFUSAL_REASONS}' keys. */
export type RefusalReason = keyof typeof REFUSAL_REASONS;

/**
 * The reason for a library error refusing what the client sent: `refused:<code>` for a SAML
 * rule, `refused-other` for any other code (which then goes in the log detail).
 *
 * @example
 * ```ts
 * refusalForCode('PSSO_ERR_SAML_AUDIENCE'); // 'refused:PSSO_ERR_SAML_AUDIENCE'
 * refusalForCode('PSSO_ERR_XML_MALFORMED'); // 'refused-other'
 * ```
 */
export function refusalForCode(code: string): RefusalReason {
  const reason = `refused:${code}`;
  return isRefusalReason(reason) ? reason : 'refused-other';
}

/**
 * Whether `value` is a Platform SSO refusal reason (for code that reads labels back, e.g. tests).
 *
 * @example
 * ```ts
 * isRefusalReason('unknown-device'); // true
 * ```
 */
export function isRefusalReason(value: unknown): value is RefusalReason {
  return typeof value === 'string' && Object.hasOwn(REFUSAL_REASONS, value);
}
