/**
 * Verifying a SAML 1.1 or 2.0 assertion's enveloped XML signature against pinned certificates
 * only (never a key carried in the assertion), with the defences signature-wrapping attacks call
 * for: the assertion must stand alone (one root, nothing after it, no DOCTYPE), carry exactly one
 * Signature — a direct child of the root — whose single Reference points at the root's own id
 * (which no other element repeats), with allow-listed algorithms. The caller reads claims only
 * from the returned signed content (xml-crypto's `getSignedReferences()`), never from the input.
 *
 * @module
 */

import { DOMParser, onErrorStopParsing } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { SamlError } from '../errors.js';
import type { SamlVersion } from '../protocol/grant-types.js';
import { NS_DSIG, NS_SAML1, NS_SAML2 } from '../protocol/namespaces.js';
import type { XmlElement } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { attribute, childElements, descendants } from '../xml/query.js';
import {
  ALG_DIGEST_SHA1,
  ALG_RSA_SHA1,
  algorithmAllowed,
  knownAlgorithm,
  sha256RemediationText,
  UNKNOWN_ALGORITHM,
} from './algorithms.js';

/** A verified assertion. */
export interface VerifiedAssertion {
  readonly samlVersion: SamlVersion;
  /** `AssertionID` (1.1) or `ID` (2.0). */
  readonly id: string;
  /** The canonical signed content (the assertion without its signature): read claims from this only. */
  readonly signedXml: string;
  /** The assertion as sent, parsed (comments and PIs kept, unlike the canonical signed content). */
  readonly sent: XmlElement;
  /** The SignatureMethod URI (one of the allowed algorithms). */
  readonly signatureAlgorithm: string;
  /** The Reference's DigestMethod URI (one of the allowed algorithms). */
  readonly digestAlgorithm: string;
  /** Whether SHA-1 was used (accepted only under `allowSha1`): the caller should warn. */
  readonly sha1: boolean;
}

/** Options of {@link verifyAssertionSignature}. */
export interface VerifyOptions {
  /**
   * Accept RSA-SHA1 signatures and SHA-1 digests (AD FS relying party trusts still set to
   * SHA-1). Off by default: SHA-1 is broken. The result's `sha1` says when it was used.
   */
  readonly allowSha1?: boolean;
  /** @deprecated The former name of {@link VerifyOptions.allowSha1}. */
  readonly dangerouslyAllowSha1?: boolean;
}

/** The algorithms an assertion's signature names (checked against the allow-list). */
export interface SignatureAlgorithms {
  readonly signatureAlgorithm: string;
  readonly digestAlgorithm: string;
  readonly sha1: boolean;
}
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const TRANSFORMS = new Set(['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N]);
const ID_ATTRIBUTES = new Set(['ID', 'Id', 'id', 'AssertionID']);

/**
 * Verifies `assertionXml` (a standalone assertion) against `trustedCertificates` (PEM).
 *
 * @throws {SamlError} `PSSO_ERR_SAML_MALFORMED` or `PSSO_ERR_SAML_SIGNATURE`.
 *
 * @example
 * ```ts
 * const { signedXml, samlVersion } = verifyAssertionSignature(xml, [federationSigningCertPem]);
 * ```
 */
export function verifyAssertionSignature(
  assertionXml: string,
  trustedCertificates: readonly string[],
  options: VerifyOptions = {},
): VerifiedAssertion {
  if (trustedCertificates.length === 0)
    throw new TypeError('verifyAssertionSignature: no trusted certificate');
  const { root, id, samlVersion, signature } = checkStructure(assertionXml);
  const algorithms = checkSignedInfo(signature, id, allowSha1(options));
  const dom = new DOMParser({ onError: onErrorStopParsing }).parseFromString(
    assertionXml,
    'application/xml',
  );
  const sigNode = dom.documentElement?.getElementsByTagNameNS(NS_DSIG, 'Signature')[0];
  if (sigNode === undefined) throw malformed('no signature');
  for (const cert of trustedCertificates) {
    const sig = new SignedXml({
      publicCert: cert,
      // SAML 2.0's ID is already in xml-crypto's default list; naming it again makes xml-crypto
      // count the root twice and refuse it as a duplicate id.
      ...(samlVersion === '1.1' ? { idAttribute: 'AssertionID' } : {}),
      getCertFromKeyInfo: () => null,
    });
    sig.loadSignature(sigNode as unknown as Node);
    let valid = false;
    try {
      valid = sig.checkSignature(assertionXml);
    } catch {
      valid = false;
    }
    if (!valid) continue;
    const refs = sig.getSignedReferences();
    if (refs.length !== 1 || refs[0] === undefined)
      throw signature_('the signature must cover exactly the assertion');
    checkSignedRoot(refs[0], samlVersion, id);
    return { samlVersion, id, signedXml: refs[0], sent: root, ...algorithms };
  }
  throw signature_('no trusted certificate verifies the signature');
}

/**
 * Every check of {@link verifyAssertionSignature} that needs no key: one standalone assertion,
 * one signature over it, allow-listed algorithms. For a view of an assertion when no
 * token-signing certificate is at hand; it proves nothing about who signed.
 *
 * @throws {SamlError} `PSSO_ERR_SAML_MALFORMED` or `PSSO_ERR_SAML_SIGNATURE`, as the verifier would.
 *
 * @example
 * ```ts
 * const { signatureAlgorithm, sha1 } = checkSignatureShape(xml, { allowSha1: true });
 * ```
 */
export function checkSignatureShape(
  assertionXml: string,
  options: VerifyOptions = {},
): SignatureAlgorithms & { samlVersion: SamlVersion; id: string } {
  const { id, samlVersion, signature } = checkStructure(assertionXml);
  return { samlVersion, id, ...checkSignedInfo(signature, id, allowSha1(options)) };
}

function allowSha1(options: VerifyOptions): boolean {
  return options.allowSha1 === true || options.dangerouslyAllowSha1 === true;
}

function checkStructure(xml: string) {
  let doc: ReturnType<typeof parseXml>;
  try {
    doc = parseXml(xml, { maxBytes: 256 * 1024, maxDepth: 32, maxAttributes: 32 });
  } catch {
    throw malformed('the assertion is not a well-formed standalone XML document');
  }
  const root = doc.root;
  if (doc.source.slice(root.end).trim() !== '' || doc.source.slice(0, root.start).trim() !== '') {
    throw malformed('content before or after the assertion');
  }
  const samlVersion =
    root.local === 'Assertion' && root.ns === NS_SAML1
      ? '1.1'
      : root.local === 'Assertion' && root.ns === NS_SAML2
        ? '2.0'
        : undefined;
  if (samlVersion === undefined) throw malformed('the root is not a SAML 1.1 or 2.0 Assertion');
  const id = attribute(root, '', samlVersion === '1.1' ? 'AssertionID' : 'ID');
  if (id === undefined || id === '') throw malformed('the assertion has no id');
  let seen = 0;
  for (const el of [root, ...allElements(root)]) {
    for (const a of el.attributes) if (ID_ATTRIBUTES.has(a.local) && a.value === id) seen++;
  }
  if (seen !== 1) throw malformed('the assertion id appears more than once');
  const signatures = descendants(root, NS_DSIG, 'Signature');
  const direct = childElements(root, NS_DSIG, 'Signature');
  if (signatures.length !== 1 || direct.length !== 1 || direct[0] === undefined) {
    throw signatures.length === 0
      ? signature_('the assertion is not signed')
      : malformed('exactly one signature, a child of the assertion, is allowed');
  }
  return { root, id, samlVersion, signature: direct[0] } as const;
}

function checkSignedInfo(signature: XmlElement, id: string, sha1: boolean): SignatureAlgorithms {
  const infos = childElements(signature, NS_DSIG, 'SignedInfo');
  const info = infos[0];
  if (infos.length !== 1 || info === undefined)
    throw malformed('exactly one SignedInfo is allowed');
  const method = childElements(info, NS_DSIG, 'SignatureMethod')[0];
  const algorithm = method === undefined ? '' : (attribute(method, '', 'Algorithm') ?? '');
  if (!algorithmAllowed(algorithm, 'signature', sha1))
    throw algorithmRefused(algorithm, 'signature');
  const c14n = childElements(info, NS_DSIG, 'CanonicalizationMethod')[0];
  if (c14n === undefined || attribute(c14n, '', 'Algorithm') !== EXC_C14N)
    throw signature_('canonicalization not allowed');
  const refs = childElements(info, NS_DSIG, 'Reference');
  const ref = refs[0];
  if (refs.length !== 1 || ref === undefined || attribute(ref, '', 'URI') !== `#${id}`) {
    throw malformed('the signature must have one reference, to the assertion itself');
  }
  const digest = childElements(ref, NS_DSIG, 'DigestMethod')[0];
  const digestAlgorithm = digest === undefined ? '' : (attribute(digest, '', 'Algorithm') ?? '');
  if (!algorithmAllowed(digestAlgorithm, 'digest', sha1))
    throw algorithmRefused(digestAlgorithm, 'digest');
  for (const transforms of childElements(ref, NS_DSIG, 'Transforms')) {
    for (const t of childElements(transforms, NS_DSIG, 'Transform')) {
      if (!TRANSFORMS.has(attribute(t, '', 'Algorithm') ?? ''))
        throw signature_('transform not allowed');
    }
  }
  return {
    signatureAlgorithm: algorithm,
    digestAlgorithm,
    sha1: algorithm === ALG_RSA_SHA1 || digestAlgorithm === ALG_DIGEST_SHA1,
  };
}

/**
 * The refusal names the algorithm from our vocabulary (a SHA-1 one with the relying-party
 * setting that changes it); an unknown URI travels only, sanitized, in `peerAlgorithm`.
 */
function algorithmRefused(uri: string, kind: 'signature' | 'digest'): SamlError {
  const known = knownAlgorithm(uri, kind);
  const what = kind === 'signature' ? 'signature algorithm' : 'digest algorithm';
  if (known === undefined) {
    return new SamlError(
      'PSSO_ERR_SAML_SIGNATURE',
      `SAML assertion signature refused: the ${what} is ${UNKNOWN_ALGORITHM}`,
      { algorithm: UNKNOWN_ALGORITHM, peerAlgorithm: uri, remediation: sha256RemediationText() },
    );
  }
  return new SamlError(
    'PSSO_ERR_SAML_SIGNATURE',
    `SAML assertion signature refused: the ${what} is ${known.name} (${known.uri}), ` +
      `which is not allowed${known.sha1 ? ' unless SHA-1 is accepted explicitly (allowSha1, --allow-sha1)' : ''}`,
    { algorithm: known.uri, remediation: sha256RemediationText() },
  );
}

/** The signed content must itself be the assertion with that id. */
function checkSignedRoot(signedXml: string, samlVersion: SamlVersion, id: string): void {
  const root = parseXml(signedXml).root;
  const ok =
    root.local === 'Assertion' &&
    root.ns === (samlVersion === '1.1' ? NS_SAML1 : NS_SAML2) &&
    attribute(root, '', samlVersion === '1.1' ? 'AssertionID' : 'ID') === id;
  if (!ok) throw signature_('the signed content is not the assertion');
}

function allElements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.pop() as XmlElement;
    for (const c of el.children)
      if (c.type === 'element') {
        out.push(c);
        stack.push(c);
      }
  }
  return out;
}

function malformed(why: string): SamlError {
  return new SamlError('PSSO_ERR_SAML_MALFORMED', `SAML assertion refused: ${why}`);
}

function signature_(why: string): SamlError {
  return new SamlError('PSSO_ERR_SAML_SIGNATURE', `SAML assertion signature refused: ${why}`);
}
