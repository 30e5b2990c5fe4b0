/**
 * The records the IdP's state holds, as every backend (SQLite, PostgreSQL) gives them back.
 *
 * @module
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { DeviceEncryptionAlg } from './device-encryption.js';

/** A user of the reference IdP. */
export interface UserRecord {
  /** The UPN, e.g. `alice@example.com` (unique, compared case-insensitively). */
  readonly upn: string;
  /** A stable immutable id (base64 of 16 random bytes), sent as the ImmutableID attribute. */
  readonly immutableId: string;
}

/** A user as stored, with when it was added (ISO-8601). */
export interface StoredUser extends UserRecord {
  readonly createdAt: string;
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

/** A registered Platform SSO device. */
export interface DeviceRecord {
  readonly clientId: string;
  readonly signingKid: string;
  readonly signingKey: KeyObject;
  readonly encryptionKid: string;
  readonly encryptionKey: KeyObject;
  /** How responses are encrypted: `ECDH-ES` (P-256 key) or the HPKE suite of the key. */
  readonly encryptionAlg: DeviceEncryptionAlg;
  readonly createdAt: string;
}

/** A user's registered Secure Enclave key. */
export interface UserKeyRecord {
  /** The user's UPN as stored. */
  readonly upn: string;
  readonly kid: string;
  readonly publicKey: KeyObject;
  readonly createdAt: string;
}

/** A CA trusted to issue SmartCard certificates. */
export interface SmartCardCaRecord {
  /** SHA-256 fingerprint, upper-case hex without separators. */
  readonly fingerprint: string;
  readonly subject: string;
  readonly certificate: X509Certificate;
  readonly createdAt: string;
}

/** What a refresh token stands for. */
export interface RefreshGrant {
  readonly upn: string;
  readonly clientId: string;
  readonly deviceKid: string;
  readonly expires: number;
  /** The family: every token rotated from one login. */
  readonly family: string;
}

/** The device presenting a refresh token. */
export interface PresentingDevice {
  readonly clientId: string;
  readonly deviceKid: string;
}

/** Why a presented refresh token was refused. */
export type RefreshRefusal =
  /** Never issued, or swept after its family expired. */
  | 'unknown'
  /** Unused, but past its lifetime. */
  | 'expired'
  /** Issued to another device (or client id): refused, nothing changed. */
  | 'other-device'
  /** Already rotated: the whole family is now revoked. */
  | 'reuse'
  /** Its family was revoked earlier. */
  | 'revoked';

/** The outcome of a refresh token rotation. */
export type RotateResult =
  | { readonly ok: true; readonly grant: RefreshGrant; readonly token: string }
  | { readonly ok: false; readonly reason: RefreshRefusal };

/** The outcome of a refresh token lookup (read-only: `used` revokes nothing). */
export type LookupResult =
  | { readonly ok: true; readonly grant: RefreshGrant }
  | { readonly ok: false; readonly reason: Exclude<RefreshRefusal, 'reuse'> | 'used' };
