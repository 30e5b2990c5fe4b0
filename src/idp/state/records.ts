/**
 * The IdP's persistent records.
 *
 * @module
 */

/** A user of the reference IdP. */
export interface UserRecord {
  /** The UPN, e.g. `alice@example.com` (unique, compared case-insensitively). */
  readonly upn: string;
  /** A stable immutable id (base64 of 16 random bytes), sent as the ImmutableID attribute. */
  readonly immutableId: string;
}

/** A relying party the STS issues tokens for. */
export interface RelyingParty {
  /** The AppliesTo URN, e.g. `urn:federation:MicrosoftOnline`. */
  readonly identifier: string;
  readonly samlVersion: '1.1' | '2.0';
  /**
   * SAML 2.0 only: the SubjectConfirmationData `Recipient` of its assertions (RFC 7522 §3: the
   * token endpoint that will receive them). Absent: the IdP's own Platform SSO token endpoint.
   */
  readonly recipient?: string;
}
