/**
 * Every reason the STS refuses a RequestSecurityToken, as a closed list: the label logs and
 * metrics carry (`reason` on the access line, `psso_idp_faults_total{reason=…}`) and the wire
 * fault the client gets (a key of `WIRE` in ./fault.ts). The compiler refuses a label that is not
 * here, so metrics label cardinality is bounded by this list; docs/IDP-REFUSALS.md is generated
 * from it (`node --import tsx scripts/refusal-reasons.ts`).
 *
 * @module
 */
import type { WIRE } from './fault.js';

/** What one reason means and which wire fault it answers. */
export interface StsFaultSpec {
  /** The wire fault (a key of `WIRE`): what the client sees, worded like AD FS. */
  readonly wire: keyof typeof WIRE;
  /** What was wrong, for operators (never sent to the client). */
  readonly summary: string;
}

/**
 * The STS refusal reasons, in pipeline order.
 *
 * @example
 * ```ts
 * STS_FAULT_REASONS['replayed-nonce'].wire; // 'invalidSecurity'
 * ```
 */
export const STS_FAULT_REASONS = Object.freeze({
  // The XML layer.
  doctype: { wire: 'invalidRequest', summary: 'The body has a DOCTYPE (refused outright).' },
  'too-large': { wire: 'invalidRequest', summary: 'The body is over the XML size limit.' },
  'malformed-xml': {
    wire: 'invalidRequest',
    summary: 'The body is not well-formed XML, or breaks a depth or attribute limit.',
  },
  // The SOAP envelope and headers.
  soap11: { wire: 'versionMismatch', summary: 'A SOAP 1.1 envelope: only SOAP 1.2 is served.' },
  'not-envelope': { wire: 'invalidRequest', summary: 'The root is not a SOAP 1.2 Envelope.' },
  'envelope-shape': {
    wire: 'invalidRequest',
    summary: 'The Envelope does not hold exactly a Header then a Body.',
  },
  'must-understand': {
    wire: 'mustUnderstand',
    summary: 'A header block marked mustUnderstand that the STS does not process.',
  },
  'message-id': {
    wire: 'invalidRequest',
    summary: 'No usable wsa:MessageID (strict mode only; otherwise served with a warning).',
  },
  'wrong-action': {
    wire: 'invalidRequest',
    summary: "wsa:Action is not the Issue action of the endpoint's WS-Trust version.",
  },
  'duplicate-addressing': { wire: 'invalidRequest', summary: 'wsa:To or wsa:ReplyTo repeated.' },
  // The WS-Security header.
  'security-header-count': {
    wire: 'invalidSecurity',
    summary: 'Not exactly one wsse:Security header.',
  },
  'username-token-count': {
    wire: 'invalidSecurity',
    summary: 'Not exactly one UsernameToken in the Security header.',
  },
  'username-count': { wire: 'invalidSecurity', summary: 'Not exactly one wsse:Username.' },
  'username-value': {
    wire: 'invalidSecurity',
    summary: 'The username is empty or longer than 256 characters.',
  },
  'password-count': { wire: 'invalidSecurity', summary: 'Not exactly one wsse:Password.' },
  'password-digest': {
    wire: 'unsupportedToken',
    summary: 'A PasswordDigest password (only PasswordText is accepted).',
  },
  'password-type': {
    wire: 'unsupportedToken',
    summary: 'A password Type other than PasswordText.',
  },
  'password-markup': { wire: 'invalidSecurity', summary: 'The password holds elements.' },
  'password-value': {
    wire: 'invalidSecurity',
    summary: 'The password is empty or longer than 1024 characters.',
  },
  'duplicate-nonce': { wire: 'invalidSecurity', summary: 'wsse:Nonce repeated.' },
  'duplicate-created': { wire: 'invalidSecurity', summary: 'The UsernameToken Created repeated.' },
  'nonce-encoding': {
    wire: 'invalidSecurity',
    summary: 'A Nonce EncodingType other than Base64Binary.',
  },
  'nonce-value': {
    wire: 'invalidSecurity',
    summary: 'The Nonce is not base64 of 6 bytes or more, or is over 256 characters.',
  },
  'nonce-without-created': { wire: 'invalidSecurity', summary: 'A Nonce without a Created.' },
  'duplicate-timestamp': { wire: 'invalidSecurity', summary: 'wsu:Timestamp repeated.' },
  'timestamp-created-count': {
    wire: 'invalidSecurity',
    summary: 'The Timestamp has not exactly one Created.',
  },
  'duplicate-timestamp-expires': {
    wire: 'invalidSecurity',
    summary: 'Timestamp Expires repeated.',
  },
  'expires-before-created': {
    wire: 'invalidSecurity',
    summary: 'The Timestamp expires before it was created.',
  },
  'time-format': {
    wire: 'invalidSecurity',
    summary: 'A Created or Expires that is not an xsd:dateTime with a zone.',
  },
  // The RequestSecurityToken body.
  'rst-shape': {
    wire: 'invalidRequest',
    summary: 'The Body does not hold exactly one RequestSecurityToken.',
  },
  'rst-version': {
    wire: 'invalidRequest',
    summary: "The RequestSecurityToken is not in the endpoint's WS-Trust namespace.",
  },
  'request-type': { wire: 'invalidRequest', summary: 'The RequestType is missing or not Issue.' },
  'duplicate-RequestType': { wire: 'invalidRequest', summary: 'RequestType repeated.' },
  'key-type': { wire: 'invalidRequest', summary: 'A KeyType other than a bearer key type.' },
  'duplicate-KeyType': { wire: 'invalidRequest', summary: 'KeyType repeated.' },
  'applies-to': {
    wire: 'invalidRequest',
    summary: 'No single AppliesTo with an EndpointReference Address.',
  },
  // Freshness.
  'strict-mode': {
    wire: 'invalidSecurity',
    summary: 'Strict mode: the Nonce, Created or Timestamp is missing.',
  },
  'timestamp-future': {
    wire: 'messageExpired',
    summary: 'The Timestamp was created in the future (beyond the skew).',
  },
  'timestamp-expired': {
    wire: 'messageExpired',
    summary: 'The Timestamp has expired (beyond the skew).',
  },
  'stale-created': {
    wire: 'messageExpired',
    summary: 'The UsernameToken Created is older than the freshness window.',
  },
  'future-created': {
    wire: 'messageExpired',
    summary: 'The UsernameToken Created is in the future (beyond the skew).',
  },
  // The relying party and the credentials.
  'unknown-relying-party': {
    wire: 'requestFailed',
    summary: 'AppliesTo names no relying party of this IdP.',
  },
  'bad-credentials': {
    wire: 'failedAuthentication',
    summary: 'A wrong password or an unknown user (the detail says when it locked the account).',
  },
  'locked-out': {
    wire: 'failedAuthentication',
    summary: 'The account is locked out for this source (answered as a wrong password).',
  },
  'replayed-nonce': {
    wire: 'invalidSecurity',
    summary: 'The UsernameToken Nonce was already used for this user (a replay).',
  },
  // The IdP's own failures (Receiver faults, never a credential failure).
  busy: {
    wire: 'busy',
    summary: 'The password-check queue is full: a Receiver fault with RetryAfter.',
  },
  'store-unavailable': {
    wire: 'unavailable',
    summary: 'The replay or lockout store cannot answer (or the replay cache is full).',
  },
  'internal-error': {
    wire: 'unavailable',
    summary: 'Anything unexpected: a bug (the stack is logged at error).',
  },
} as const satisfies Record<string, StsFaultSpec>);

/** A reason the STS refuses a request: the closed union of {@link STS_FAULT_REASONS}' keys. */
export type StsFaultReason = keyof typeof STS_FAULT_REASONS;

/**
 * Whether `value` is an STS refusal reason (for code that reads labels back, e.g. tests).
 *
 * @example
 * ```ts
 * isStsFaultReason('replayed-nonce'); // true
 * ```
 */
export function isStsFaultReason(value: unknown): value is StsFaultReason {
  return typeof value === 'string' && Object.hasOwn(STS_FAULT_REASONS, value);
}
