/**
 * What the STS asks the SAML issuer for.
 *
 * @module
 */

import type { KeyObject } from 'node:crypto';
import type { SamlVersion } from 'psso-wstrust';

/** One SAML attribute. SAML 1.1 uses `namespace` as AttributeNamespace; SAML 2.0 uses `name` as Name. */
export interface SamlAttribute {
  readonly name: string;
  readonly namespace: string;
  readonly values: readonly string[];
}

/** The content of an assertion to issue. */
export interface AssertionParams {
  readonly samlVersion: SamlVersion;
  /** Unique id: `AssertionID` (SAML 1.1) or `ID` (SAML 2.0); an NCName such as `_` + a UUID. */
  readonly id: string;
  /** The IdP's issuer URI. */
  readonly issuer: string;
  readonly issueInstant: Date;
  /** Conditions NotBefore. */
  readonly notBefore: Date;
  /** Conditions NotOnOrAfter (and the bearer confirmation's NotOnOrAfter in SAML 2.0). */
  readonly notOnOrAfter: Date;
  /** AudienceRestriction: the AppliesTo URN. */
  readonly audience: string;
  /** The subject: the user's UPN (NameIdentifier / NameID). */
  readonly subject: string;
  /** NameID Format. Default `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified`. */
  readonly nameIdFormat?: string;
  /** SAML 2.0 only: SubjectConfirmationData Recipient (omitted when undefined). */
  readonly recipient?: string;
  readonly attributes: readonly SamlAttribute[];
  /** When the user authenticated (AuthenticationInstant / AuthnInstant). */
  readonly authnInstant: Date;
}

/** The token-signing key and its certificate. */
export interface SigningMaterial {
  /** RSA private key (2048 bits or more). */
  readonly privateKey: KeyObject;
  /** The certificate, DER, put in the signature's KeyInfo/X509Data. */
  readonly certificateDer: Uint8Array;
}
