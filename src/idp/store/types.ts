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
}
