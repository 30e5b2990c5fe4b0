/**
 * A read-only view of a SAML 1.1 or 2.0 assertion, for people diagnosing a federation: issuer,
 * audiences, subject, attributes, conditions window, confirmations, signature algorithms and the
 * certificate the signature's KeyInfo carries. It decides nothing: the certificate shown is
 * whatever the document embeds and is never trusted (verification is `verifyAssertionSignature`
 * with pinned certificates). Every string is peer text, sanitized (control characters removed,
 * white space collapsed, capped); lists are capped too.
 *
 * @module
 */

import { createHash, X509Certificate } from 'node:crypto';
import { SamlError, sanitizePeerText } from '../errors.js';
import { parseDateTime } from '../lib/time.js';
import type { SamlVersion } from '../protocol/grant-types.js';
import { NS_DSIG, NS_SAML1, NS_SAML2 } from '../protocol/namespaces.js';
import type { XmlElement } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { attribute, childElements, descendants, textOf } from '../xml/query.js';
import { knownAlgorithm, UNKNOWN_ALGORITHM } from './algorithms.js';

/** At most this many attributes, values per attribute, audiences are listed. */
export const INSPECT_LIMITS = Object.freeze({ attributes: 64, values: 16, audiences: 16 });

/** One attribute. */
export interface InspectedAttribute {
  /** `AttributeName` (1.1) or `Name` (2.0). */
  readonly name: string;
  /** `AttributeNamespace` (1.1) or `NameFormat` (2.0), when present. */
  readonly namespace?: string;
  readonly values: readonly string[];
  /** Values left off past {@link INSPECT_LIMITS}. */
  readonly valuesLeftOff?: number;
}

/** A subject confirmation. */
export interface InspectedConfirmation {
  readonly method: string;
  /** SAML 2.0 SubjectConfirmationData. */
  readonly recipient?: string;
  readonly notOnOrAfter?: string;
}

/** The signature, as the document describes it (not verified). */
export interface InspectedSignature {
  /** The SignatureMethod URI when it is one we know, else `unknown (not allowed)`. */
  readonly algorithm: string;
  /** Short name (`RSA-SHA1`, `RSA-SHA256`, …) or `unknown`. */
  readonly algorithmName: string;
  /** For an unknown algorithm: the document's URI, sanitized. */
  readonly peerAlgorithm?: string;
  readonly digestAlgorithm: string;
  readonly digestName: string;
  /** Whether SHA-1 is used (signature or digest). */
  readonly sha1: boolean;
  /** Whether both algorithms are allowed without SHA-1 opt-in. */
  readonly allowed: boolean;
}

/** The certificate in KeyInfo: for display only, never trusted. */
export interface InspectedCertificate {
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly serialNumber: string;
  /** SHA-256 of the DER, colon-separated hex. */
  readonly sha256Fingerprint: string;
  /** SHA-1 of the DER, hex uppercase: the thumbprint `Get-AdfsCertificate` shows. */
  readonly sha1Thumbprint: string;
  /** The public key type and size, e.g. `rsa 2048 bits`. */
  readonly publicKey: string;
}

/** What {@link inspectAssertion} reads. */
export interface AssertionInspection {
  readonly samlVersion: SamlVersion;
  readonly id: string;
  readonly issuer: string;
  readonly issueInstant?: string;
  /** One list per AudienceRestriction(Condition): each must name the relying party. */
  readonly audiences: readonly (readonly string[])[];
  readonly subject?: { readonly nameId: string; readonly format?: string };
  readonly confirmations: readonly InspectedConfirmation[];
  readonly conditions: { readonly notBefore?: string; readonly notOnOrAfter?: string };
  readonly authentication?: { readonly method?: string; readonly instant?: string };
  readonly attributes: readonly InspectedAttribute[];
  readonly attributesLeftOff?: number;
  /** Absent when the assertion carries no Signature. */
  readonly signature?: InspectedSignature;
  /** The first X509Certificate in the signature's KeyInfo, when present and readable. */
  readonly signingCertificate?: InspectedCertificate;
}

/**
 * Reads an assertion's exact text (a standalone `saml:Assertion` or `saml2:Assertion`).
 *
 * @throws {XmlError} when it is not well-formed; {@link SamlError} `PSSO_ERR_SAML_MALFORMED` when
 *   the root is not a SAML assertion.
 *
 * @example
 * ```ts
 * const view = inspectAssertion(token.assertion);
 * console.log(view.issuer, view.audiences, view.signature?.algorithmName);
 * ```
 */
export function inspectAssertion(assertionXml: string): AssertionInspection {
  const { root } = parseXml(assertionXml, { maxBytes: 256 * 1024, maxDepth: 32 });
  const version =
    root.local === 'Assertion' && root.ns === NS_SAML1
      ? '1.1'
      : root.local === 'Assertion' && root.ns === NS_SAML2
        ? '2.0'
        : undefined;
  if (version === undefined)
    throw new SamlError(
      'PSSO_ERR_SAML_MALFORMED',
      'SAML assertion refused: the root is not a SAML 1.1 or 2.0 Assertion',
    );
  const ns = version === '1.1' ? NS_SAML1 : NS_SAML2;
  const conditions = childElements(root, ns, 'Conditions')[0];
  const signature = childElements(root, NS_DSIG, 'Signature')[0];
  const certificate = signature === undefined ? undefined : keyInfoCertificate(signature);
  const inspected = signature === undefined ? undefined : readSignature(signature);
  const authn = readAuthentication(root, version);
  const { attributes, leftOff } = readAttributes(root, version);
  return {
    samlVersion: version,
    id: clean(attribute(root, '', version === '1.1' ? 'AssertionID' : 'ID') ?? ''),
    issuer: clean(version === '1.1' ? (attribute(root, '', 'Issuer') ?? '') : issuer20(root)),
    ...opt('issueInstant', time(attribute(root, '', 'IssueInstant'))),
    audiences: readAudiences(conditions, version),
    ...opt('subject', readSubject(root, version)),
    confirmations: readConfirmations(root, version),
    conditions: {
      ...opt('notBefore', time(conditions && attribute(conditions, '', 'NotBefore'))),
      ...opt('notOnOrAfter', time(conditions && attribute(conditions, '', 'NotOnOrAfter'))),
    },
    ...opt('authentication', authn),
    attributes,
    ...opt('attributesLeftOff', leftOff > 0 ? leftOff : undefined),
    ...opt('signature', inspected),
    ...opt('signingCertificate', certificate),
  };
}

function issuer20(root: XmlElement): string {
  const el = childElements(root, NS_SAML2, 'Issuer')[0];
  return el === undefined ? '' : textOf(el);
}

function readAudiences(conditions: XmlElement | undefined, version: SamlVersion): string[][] {
  if (conditions === undefined) return [];
  const ns = version === '1.1' ? NS_SAML1 : NS_SAML2;
  const local = version === '1.1' ? 'AudienceRestrictionCondition' : 'AudienceRestriction';
  return childElements(conditions, ns, local)
    .slice(0, INSPECT_LIMITS.audiences)
    .map((r) =>
      childElements(r, ns, 'Audience')
        .slice(0, INSPECT_LIMITS.audiences)
        .map((a) => clean(textOf(a))),
    );
}

function readSubject(
  root: XmlElement,
  version: SamlVersion,
): AssertionInspection['subject'] | undefined {
  const ns = version === '1.1' ? NS_SAML1 : NS_SAML2;
  const name = descendants(root, ns, version === '1.1' ? 'NameIdentifier' : 'NameID')[0];
  if (name === undefined) return undefined;
  return { nameId: clean(textOf(name)), ...opt('format', maybe(attribute(name, '', 'Format'))) };
}

function readConfirmations(root: XmlElement, version: SamlVersion): InspectedConfirmation[] {
  const out: InspectedConfirmation[] = [];
  if (version === '1.1') {
    const methods = new Set(
      descendants(root, NS_SAML1, 'ConfirmationMethod').map((m) => clean(textOf(m))),
    );
    for (const method of [...methods].slice(0, 8)) out.push({ method });
    return out;
  }
  for (const subject of childElements(root, NS_SAML2, 'Subject')) {
    for (const c of childElements(subject, NS_SAML2, 'SubjectConfirmation').slice(0, 8)) {
      const data = childElements(c, NS_SAML2, 'SubjectConfirmationData')[0];
      out.push({
        method: clean(attribute(c, '', 'Method') ?? ''),
        ...opt('recipient', maybe(data && attribute(data, '', 'Recipient'))),
        ...opt('notOnOrAfter', time(data && attribute(data, '', 'NotOnOrAfter'))),
      });
    }
  }
  return out;
}

function readAuthentication(
  root: XmlElement,
  version: SamlVersion,
): AssertionInspection['authentication'] | undefined {
  if (version === '1.1') {
    const s = childElements(root, NS_SAML1, 'AuthenticationStatement')[0];
    if (s === undefined) return undefined;
    return {
      ...opt('method', maybe(attribute(s, '', 'AuthenticationMethod'))),
      ...opt('instant', time(attribute(s, '', 'AuthenticationInstant'))),
    };
  }
  const s = childElements(root, NS_SAML2, 'AuthnStatement')[0];
  if (s === undefined) return undefined;
  const ref = descendants(s, NS_SAML2, 'AuthnContextClassRef')[0];
  return {
    ...opt('method', maybe(ref && textOf(ref))),
    ...opt('instant', time(attribute(s, '', 'AuthnInstant'))),
  };
}

function readAttributes(
  root: XmlElement,
  version: SamlVersion,
): { attributes: InspectedAttribute[]; leftOff: number } {
  const ns = version === '1.1' ? NS_SAML1 : NS_SAML2;
  const all = childElements(root, ns, 'AttributeStatement').flatMap((s) =>
    childElements(s, ns, 'Attribute'),
  );
  const attributes = all.slice(0, INSPECT_LIMITS.attributes).map((a): InspectedAttribute => {
    const values = childElements(a, ns, 'AttributeValue');
    const namespace = attribute(a, '', version === '1.1' ? 'AttributeNamespace' : 'NameFormat');
    return {
      name: clean(attribute(a, '', version === '1.1' ? 'AttributeName' : 'Name') ?? ''),
      ...opt('namespace', maybe(namespace)),
      values: values.slice(0, INSPECT_LIMITS.values).map((v) => clean(textOf(v))),
      ...opt(
        'valuesLeftOff',
        values.length > INSPECT_LIMITS.values ? values.length - INSPECT_LIMITS.values : undefined,
      ),
    };
  });
  return { attributes, leftOff: all.length - attributes.length };
}

function readSignature(signature: XmlElement): InspectedSignature {
  const info = childElements(signature, NS_DSIG, 'SignedInfo')[0];
  const method = info && childElements(info, NS_DSIG, 'SignatureMethod')[0];
  const ref = info && childElements(info, NS_DSIG, 'Reference')[0];
  const digest = ref && childElements(ref, NS_DSIG, 'DigestMethod')[0];
  const sigUri = (method && attribute(method, '', 'Algorithm')) ?? '';
  const digUri = (digest && attribute(digest, '', 'Algorithm')) ?? '';
  const sig = knownAlgorithm(sigUri, 'signature');
  const dig = knownAlgorithm(digUri, 'digest');
  return {
    algorithm: sig?.uri ?? UNKNOWN_ALGORITHM,
    algorithmName: sig?.name ?? 'unknown',
    ...opt('peerAlgorithm', sig === undefined ? clean(sigUri).slice(0, 120) : undefined),
    digestAlgorithm: dig?.uri ?? UNKNOWN_ALGORITHM,
    digestName: dig?.name ?? 'unknown',
    sha1: sig?.sha1 === true || dig?.sha1 === true,
    allowed: sig?.allowed === true && dig?.allowed === true,
  };
}

/** The first X509Certificate of KeyInfo, parsed by node:crypto; `undefined` when unreadable. */
function keyInfoCertificate(signature: XmlElement): InspectedCertificate | undefined {
  const keyInfo = childElements(signature, NS_DSIG, 'KeyInfo')[0];
  const el = keyInfo && descendants(keyInfo, NS_DSIG, 'X509Certificate')[0];
  if (el === undefined) return undefined;
  const b64 = textOf(el).replace(/\s+/g, '');
  if (b64.length > 64 * 1024 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const der = Buffer.from(b64, 'base64');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return undefined;
  }
  const key = cert.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return {
    subject: clean(cert.subject),
    issuer: clean(cert.issuer),
    validFrom: isoOf(cert.validFrom),
    validTo: isoOf(cert.validTo),
    serialNumber: clean(cert.serialNumber),
    sha256Fingerprint: cert.fingerprint256,
    sha1Thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
    publicKey: `${key.asymmetricKeyType ?? 'unknown'}${bits === undefined ? '' : ` ${bits} bits`}`,
  };
}

function isoOf(openssl: string): string {
  const d = new Date(openssl);
  return Number.isNaN(d.getTime()) ? clean(openssl) : d.toISOString();
}

/** A date-time as ISO-8601 when it parses, else the sanitized text. */
function time(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return parseDateTime(text)?.toISOString() ?? clean(text);
}

function maybe(text: string | undefined): string | undefined {
  return text === undefined ? undefined : clean(text);
}

function clean(text: string): string {
  return sanitizePeerText(text);
}

/** `{ [key]: value }`, or `{}` when the value is undefined (exactOptionalPropertyTypes). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
