/**
 * Signs SAML assertions for the reference STS: an enveloped XML signature (RSA-SHA256, exclusive
 * c14n, SHA-256 digest) computed directly over the canonical text our templates write, with
 * node:crypto doing the hashing and the RSA signature.
 *
 * Why this is exact: the unsigned assertion is already in exclusive-canonical form, and removing
 * the `ds:Signature` element (the enveloped-signature transform) from the signed text gives it
 * back byte for byte, so its canonical form — the digest input — is that text. The SignedInfo
 * signed is the one a verifier canonicalizes: exclusive c14n renders `xmlns:ds` on SignedInfo
 * (it is the apex of the canonicalized subtree and uses the prefix), so that declaration is in the
 * signed bytes, while the document carries it only once, on `ds:Signature`.
 *
 * One deliberate departure from a byte-for-byte canonical document: U+0085, U+2028 and U+2029 in
 * values are sent as character references (see {@link protectLineSeparators}), because xmldom —
 * under xml-crypto — would otherwise read them as line ends. The digest is still computed over
 * the canonical (literal) form, which is what every verifier reconstructs.
 *
 * @module
 */

import { createHash, KeyObject, sign, X509Certificate } from 'node:crypto';
import type { SamlVersion } from 'psso-wstrust';
import { NS_DSIG } from 'psso-wstrust/protocol';
import { SignedXml } from 'xml-crypto';
import { canonicalAssertion11, SAML11_ASSERTION_END } from './assertion11.js';
import { canonicalAssertion20, SAML2_ISSUER_END } from './assertion20.js';
import { protectLineSeparators } from './c14n.js';
import type { AssertionParams, SigningMaterial } from './types.js';

/** Exclusive XML Canonicalization 1.0 (without comments). */
export const ALG_EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
/** The enveloped-signature transform. */
export const ALG_ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
/** RSASSA-PKCS1-v1_5 with SHA-256. */
export const ALG_RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
/** SHA-256 digest. */
export const ALG_SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

const SIGNED_INFO_OPEN_C14N = `<ds:SignedInfo xmlns:ds="${NS_DSIG}">`;
const SIGNATURE_OPEN = `<ds:Signature xmlns:ds="${NS_DSIG}"><ds:SignedInfo>`;
const SI_HEAD =
  `<ds:CanonicalizationMethod Algorithm="${ALG_EXC_C14N}"></ds:CanonicalizationMethod>` +
  `<ds:SignatureMethod Algorithm="${ALG_RSA_SHA256}"></ds:SignatureMethod><ds:Reference URI="#`;
const SI_MIDDLE =
  `"><ds:Transforms><ds:Transform Algorithm="${ALG_ENVELOPED_SIGNATURE}"></ds:Transform>` +
  `<ds:Transform Algorithm="${ALG_EXC_C14N}"></ds:Transform></ds:Transforms>` +
  `<ds:DigestMethod Algorithm="${ALG_SHA256}"></ds:DigestMethod><ds:DigestValue>`;
const SI_TAIL = '</ds:DigestValue></ds:Reference></ds:SignedInfo>';

interface CheckedMaterial {
  readonly privateKey: KeyObject;
  readonly certificateDer: Uint8Array;
  readonly certificateBase64: string;
  readonly certificatePem: string;
}

const checkedMaterial = new WeakMap<SigningMaterial, CheckedMaterial>();

/** Checks the signing material once per object: an RSA private key of 2048+ bits, its certificate. */
function material(key: SigningMaterial): CheckedMaterial {
  if (typeof key !== 'object' || key === null)
    throw new TypeError('signing material must be an object');
  const known = checkedMaterial.get(key);
  if (
    known !== undefined &&
    known.privateKey === key.privateKey &&
    known.certificateDer === key.certificateDer
  )
    return known;
  const { privateKey, certificateDer } = key;
  if (
    !(privateKey instanceof KeyObject) ||
    privateKey.type !== 'private' ||
    privateKey.asymmetricKeyType !== 'rsa'
  )
    throw new TypeError('privateKey must be an RSA private KeyObject (not RSA-PSS)');
  if ((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    throw new TypeError('privateKey must have at least 2048 bits');
  if (!(certificateDer instanceof Uint8Array) || certificateDer.length === 0)
    throw new TypeError('certificateDer must be a non-empty Uint8Array');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificateDer);
  } catch {
    throw new TypeError('certificateDer is not an X.509 certificate');
  }
  if (!certificate.checkPrivateKey(privateKey))
    throw new TypeError('the certificate does not belong to privateKey');
  const checked: CheckedMaterial = {
    privateKey,
    certificateDer,
    certificateBase64: certificate.raw.toString('base64'),
    certificatePem: certificate.toString(),
  };
  checkedMaterial.set(key, checked);
  return checked;
}

/**
 * The canonical text of the unsigned assertion of either version.
 *
 * @throws TypeError as {@link canonicalAssertion11} / {@link canonicalAssertion20}, or for a
 *   `samlVersion` other than `'1.1'` and `'2.0'`.
 * @example
 * ```ts
 * const unsigned = canonicalAssertion({ ...params, samlVersion: '2.0' });
 * ```
 */
export function canonicalAssertion(params: AssertionParams): string {
  if (typeof params !== 'object' || params === null)
    throw new TypeError('assertion params must be an object');
  if (params.samlVersion === '1.1') return canonicalAssertion11(params);
  if (params.samlVersion === '2.0') return canonicalAssertion20(params);
  throw new TypeError("samlVersion must be '1.1' or '2.0'");
}

/**
 * The assertion as {@link issueAssertion} would send it, but without a signature (for fault
 * injection and tests): the canonical text with U+0085/U+2028/U+2029 written as references.
 *
 * @throws TypeError as {@link canonicalAssertion}.
 * @example
 * ```ts
 * const unsigned = unsignedAssertion(params); // no ds:Signature: every verifier refuses it
 * ```
 */
export function unsignedAssertion(params: AssertionParams): string {
  return protectLineSeparators(canonicalAssertion(params));
}

/** Where the schemas put the signature: last child in SAML 1.1, right after Issuer in 2.0. */
function signatureOffset(unsigned: string, version: SamlVersion): number {
  return version === '1.1'
    ? unsigned.length - SAML11_ASSERTION_END.length
    : unsigned.indexOf(SAML2_ISSUER_END) + SAML2_ISSUER_END.length;
}

/**
 * Issues a signed assertion: the canonical SAML 1.1 (`samlVersion: '1.1'`, as AD FS) or SAML 2.0
 * assertion with an enveloped `ds:Signature` — RSA-SHA256 over the exclusive-canonical SignedInfo,
 * one Reference `#<id>` with the enveloped-signature and exclusive c14n transforms and a SHA-256
 * digest, KeyInfo/X509Data/X509Certificate carrying the certificate. The text is itself in
 * exclusive-canonical form and declares every namespace it uses, so it can be embedded as is in an
 * RSTR and cut out again byte for byte.
 *
 * @throws TypeError for misused params (see {@link canonicalAssertion}) or signing material that is
 *   not an RSA private key of 2048 bits or more with the certificate of its public key.
 * @example
 * ```ts
 * const assertion = issueAssertion(
 *   {
 *     samlVersion: '1.1',
 *     id: `_${randomUUID()}`,
 *     issuer: 'https://idp.example.com/adfs/services/trust',
 *     issueInstant: now,
 *     notBefore: now,
 *     notOnOrAfter: new Date(now.getTime() + 3600_000),
 *     audience: 'urn:federation:MicrosoftOnline',
 *     subject: 'alice@example.com',
 *     attributes: [{ name: 'UPN', namespace: 'http://schemas.xmlsoap.org/claims', values: ['alice@example.com'] }],
 *     authnInstant: now,
 *   },
 *   { privateKey, certificateDer },
 * );
 * // '<saml:Assertion xmlns:saml="…" AssertionID="_…" …><ds:Signature xmlns:ds="…">…</saml:Assertion>'
 * ```
 */
export function issueAssertion(params: AssertionParams, key: SigningMaterial): string {
  const signer = material(key);
  const unsigned = canonicalAssertion(params);
  const digest = createHash('sha256').update(unsigned, 'utf8').digest('base64');
  const signedInfo = SI_HEAD + params.id + SI_MIDDLE + digest + SI_TAIL;
  const value = sign(
    'sha256',
    Buffer.from(SIGNED_INFO_OPEN_C14N + signedInfo, 'utf8'),
    signer.privateKey,
  ).toString('base64');
  const at = signatureOffset(unsigned, params.samlVersion);
  return protectLineSeparators(
    unsigned.slice(0, at) +
      SIGNATURE_OPEN +
      signedInfo +
      `<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
      `${signer.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>` +
      unsigned.slice(at),
  );
}

/**
 * Reference implementation of {@link issueAssertion} with xml-crypto's `SignedXml`: the same
 * unsigned canonical text, the same algorithms and signature placement, signed through xml-crypto's
 * DOM, canonicalizer and serializer. For benchmarks and cross-checks; the STS uses
 * {@link issueAssertion}. RSASSA-PKCS1-v1_5 is deterministic, so both give the same DigestValue
 * and SignatureValue for the same params and key.
 *
 * @throws TypeError as {@link issueAssertion}.
 * @example
 * ```ts
 * const reference = issueAssertionWithXmlCrypto(params, { privateKey, certificateDer });
 * ```
 */
export function issueAssertionWithXmlCrypto(params: AssertionParams, key: SigningMaterial): string {
  const signer = material(key);
  const unsigned = canonicalAssertion(params);
  const v11 = params.samlVersion === '1.1';
  const signed = new SignedXml({
    privateKey: signer.privateKey,
    publicCert: signer.certificatePem,
    signatureAlgorithm: ALG_RSA_SHA256,
    canonicalizationAlgorithm: ALG_EXC_C14N,
    ...(v11 ? { idAttribute: 'AssertionID' } : {}),
  });
  signed.addReference({
    xpath: '/*',
    transforms: [ALG_ENVELOPED_SIGNATURE, ALG_EXC_C14N],
    digestAlgorithm: ALG_SHA256,
  });
  // xml-crypto's xmldom would read a literal U+0085/U+2028 as LF and sign that instead.
  signed.computeSignature(protectLineSeparators(unsigned), {
    prefix: 'ds',
    location: v11
      ? { reference: '/*', action: 'append' }
      : { reference: "/*/*[local-name()='Issuer']", action: 'after' },
  });
  return protectLineSeparators(signed.getSignedXml());
}
