/**
 * The XML-signature algorithms a SAML assertion may name, as our own vocabulary: each known URI
 * with a short name and whether it is allowed, SHA-1 apart (allowed only on request). An
 * algorithm outside this list is reported as "unknown (not allowed)", never by echoing the
 * peer's text in a message.
 *
 * @module
 */

/** RSA-SHA1 (XML-DSig 2000/09): what older AD FS relying party trusts still sign with. */
export const ALG_RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
/** SHA-1 digest (XML-DSig 2000/09). */
export const ALG_DIGEST_SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
/** RSA-SHA256: the algorithm to move to. */
export const ALG_RSA_SHA256_URI = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

/** What a known algorithm URI is. */
export interface KnownAlgorithm {
  /** The URI, exactly as in our vocabulary (safe to show). */
  readonly uri: string;
  /** A short name, e.g. `RSA-SHA1`. */
  readonly name: string;
  readonly kind: 'signature' | 'digest';
  /** Allowed without `allowSha1`. */
  readonly allowed: boolean;
  /** A SHA-1 algorithm: allowed only with `allowSha1`. */
  readonly sha1: boolean;
}

const KNOWN: readonly KnownAlgorithm[] = [
  { uri: ALG_RSA_SHA1, name: 'RSA-SHA1', kind: 'signature', allowed: false, sha1: true },
  { uri: ALG_RSA_SHA256_URI, name: 'RSA-SHA256', kind: 'signature', allowed: true, sha1: false },
  {
    uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
    name: 'RSA-SHA384',
    kind: 'signature',
    allowed: true,
    sha1: false,
  },
  {
    uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
    name: 'RSA-SHA512',
    kind: 'signature',
    allowed: true,
    sha1: false,
  },
  { uri: ALG_DIGEST_SHA1, name: 'SHA-1', kind: 'digest', allowed: false, sha1: true },
  {
    uri: 'http://www.w3.org/2001/04/xmlenc#sha256',
    name: 'SHA-256',
    kind: 'digest',
    allowed: true,
    sha1: false,
  },
  {
    uri: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
    name: 'SHA-384',
    kind: 'digest',
    allowed: true,
    sha1: false,
  },
  {
    uri: 'http://www.w3.org/2001/04/xmlenc#sha512',
    name: 'SHA-512',
    kind: 'digest',
    allowed: true,
    sha1: false,
  },
];

/** How an unknown algorithm is named: never the peer's own text. */
export const UNKNOWN_ALGORITHM = 'unknown (not allowed)';

/**
 * The known algorithm of `kind` with this URI, or `undefined`.
 *
 * @example
 * ```ts
 * knownAlgorithm('http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'signature')?.name; // 'RSA-SHA1'
 * ```
 */
export function knownAlgorithm(
  uri: string,
  kind: 'signature' | 'digest',
): KnownAlgorithm | undefined {
  return KNOWN.find((a) => a.uri === uri && a.kind === kind);
}

/** Whether `uri` may be used, given the SHA-1 opt-in. */
export function algorithmAllowed(
  uri: string,
  kind: 'signature' | 'digest',
  allowSha1: boolean,
): boolean {
  const known = knownAlgorithm(uri, kind);
  return known !== undefined && (known.allowed || (known.sha1 && allowSha1));
}

/**
 * What an AD FS administrator (or another IdP's) does to sign with RSA-SHA256. The cmdlet and
 * the values are from docs/ADFS-NOTES.md (Set-AdfsRelyingPartyTrust -SignatureAlgorithm; the Entra
 * relying party trust's usual display name; Entra Connect's "Reset trust" restores SHA-256).
 */
export const SHA256_REMEDIATION = Object.freeze({
  adfs:
    "On AD FS, make the relying party trust sign with SHA-256: Set-AdfsRelyingPartyTrust -TargetName 'Microsoft Office 365 Identity Platform' " +
    `-SignatureAlgorithm '${ALG_RSA_SHA256_URI}' (for another relying party, its own name, or -TargetIdentifier with its identifier), ` +
    'or in AD FS Management: the relying party trust → Properties → Advanced → secure hash algorithm SHA-256. ' +
    'Entra Connect\'s "Reset trust" also sets SHA-256.',
  generic: `Configure the IdP to sign assertions with RSA-SHA256 (${ALG_RSA_SHA256_URI}) and a SHA-256 digest.`,
});

/** The remediation as one line (AD FS, then any other IdP). */
export function sha256RemediationText(): string {
  const g = SHA256_REMEDIATION.generic;
  return `${SHA256_REMEDIATION.adfs} Other IdPs: ${g.charAt(0).toLowerCase()}${g.slice(1)}`;
}
