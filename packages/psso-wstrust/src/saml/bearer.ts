/**
 * RFC 7522 processing of a SAML 1.1 or 2.0 bearer assertion received in a Platform SSO login
 * request (standard base64 of the assertion's bytes): the signature against pinned certificates
 * with the wrapping defences of {@link verifyAssertionSignature}, the grant type matching the SAML
 * version, a trusted Issuer, Conditions as SAML core evaluates them (see {@link checkConditions}:
 * current within the skew and not absurdly long, every audience restriction naming us, no
 * condition we do not understand), a bearer confirmation — in SAML 2.0 each bearer
 * SubjectConfirmationData with the Recipient (this token endpoint) and an unexpired NotOnOrAfter,
 * as RFC 7522 §3 requires — the subject read as the full text of its
 * node (mixed content, comments and processing instructions refused), and the assertion id never
 * accepted twice. Identity values come from the signed content only.
 *
 * @module
 */

import { SamlError, type SamlErrorCode } from '../errors.js';
import { parseDateTime } from '../lib/time.js';
import type { SamlVersion } from '../protocol/grant-types.js';
import { type SamlGrantType, samlVersionOfGrant } from '../protocol/grant-types.js';
import { NS_SAML1, NS_SAML2 } from '../protocol/namespaces.js';
import type { XmlElement } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { attribute, childElements, descendants, textOf } from '../xml/query.js';
import { checkConditions } from './conditions.js';
import { verifyAssertionSignature } from './verify.js';

const BEARER_11 = 'urn:oasis:names:tc:SAML:1.0:cm:bearer';
const BEARER_20 = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** What the token endpoint requires of a bearer assertion. */
export interface SamlBearerPolicy {
  readonly trustedCertificates: readonly string[];
  readonly trustedIssuers: readonly string[];
  /** The Audience that must be present (the federation URN). */
  readonly audience: string;
  /** SAML 2.0: the SubjectConfirmationData Recipient every bearer confirmation must carry (RFC 7522 §3). */
  readonly recipient: string;
  readonly now: Date;
  readonly skewMs: number;
  /** Longest acceptable NotBefore → NotOnOrAfter span. Default 24 h. */
  readonly maxValidityMs?: number;
  /** Accept an RSA-SHA1 signature (see `VerifyOptions.allowSha1`). Default false. */
  readonly allowSha1?: boolean;
  /** Records the assertion id; resolves false for one already seen. */
  readonly firstSeen: (issuer: string, id: string, ttlMs: number) => Promise<boolean>;
}

/** An accepted assertion. */
export interface BearerAssertion {
  readonly samlVersion: SamlVersion;
  readonly id: string;
  readonly issuer: string;
  /** The NameIdentifier / NameID: the user. */
  readonly subject: string;
  readonly notOnOrAfter: Date;
}

/**
 * Validates `assertionBase64` for `grantType`.
 *
 * @throws {SamlError} with the code of the first rule that fails.
 *
 * @example
 * ```ts
 * const a = await validateSamlBearer(claims.assertion, claims.grant_type, policy);
 * if (a.subject.toLowerCase() !== claims.username.toLowerCase()) refuse();
 * ```
 */
export async function validateSamlBearer(
  assertionBase64: string,
  grantType: SamlGrantType,
  policy: SamlBearerPolicy,
): Promise<BearerAssertion> {
  const xml = decode(assertionBase64);
  const verified = verifyAssertionSignature(xml, policy.trustedCertificates, {
    allowSha1: policy.allowSha1 === true,
  });
  const expected = samlVersionOfGrant(grantType);
  if (verified.samlVersion !== expected)
    fail(
      'PSSO_ERR_SAML_GRANT_MISMATCH',
      `a SAML ${verified.samlVersion} assertion under the ${grantType} grant`,
    );
  checkNoMarkupInNames(verified.sent, verified.samlVersion);
  const root = parseXml(verified.signedXml).root;
  const ns = verified.samlVersion === '1.1' ? NS_SAML1 : NS_SAML2;
  const issuer = readIssuer(root, verified.samlVersion);
  if (!policy.trustedIssuers.includes(issuer))
    fail('PSSO_ERR_SAML_ISSUER', 'the Issuer is not trusted');
  const conditions = childElements(root, ns, 'Conditions');
  if (conditions.length !== 1 || conditions[0] === undefined)
    fail('PSSO_ERR_SAML_CONDITIONS', 'exactly one Conditions is required');
  const window = checkConditions(conditions[0], verified.samlVersion, policy);
  const subject = readSubject(root, ns, verified.samlVersion);
  if (verified.samlVersion === '2.0') checkBearerConfirmations(root, policy);
  const ttl = window.notOnOrAfter.getTime() - policy.now.getTime() + policy.skewMs;
  if (!(await policy.firstSeen(issuer, verified.id, Math.max(ttl, 1000)))) {
    fail('PSSO_ERR_SAML_REPLAY', 'the assertion was already used');
  }
  return {
    samlVersion: verified.samlVersion,
    id: verified.id,
    issuer,
    subject,
    notOnOrAfter: window.notOnOrAfter,
  };
}

function decode(b64: string): string {
  if (
    typeof b64 !== 'string' ||
    b64.length > 400_000 ||
    !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) ||
    b64.length % 4 !== 0
  ) {
    fail('PSSO_ERR_SAML_MALFORMED', 'the assertion is not standard base64');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    return fail('PSSO_ERR_SAML_MALFORMED', 'the assertion is not UTF-8');
  }
}

/** The Issuer: the 1.1 attribute, or the one 2.0 Issuer element's text. */
export function readIssuer(root: XmlElement, version: SamlVersion): string {
  return version === '1.1'
    ? (attribute(root, '', 'Issuer') ?? '')
    : single(root, NS_SAML2, 'Issuer');
}

/** Every subject name in the assertion must be the same plain text, with a bearer confirmation method. */
export function readSubject(root: XmlElement, ns: string, version: SamlVersion): string {
  const names = descendants(root, ns, version === '1.1' ? 'NameIdentifier' : 'NameID');
  const values = new Set(names.map((n) => textOf(n)));
  const [subject] = values;
  if (names.length === 0 || values.size !== 1 || subject === undefined || subject.trim() === '') {
    fail('PSSO_ERR_SAML_SUBJECT', 'the assertion must name exactly one subject');
  }
  const methods = descendants(
    root,
    ns,
    version === '1.1' ? 'ConfirmationMethod' : 'SubjectConfirmation',
  ).map((m) => (version === '1.1' ? textOf(m).trim() : (attribute(m, '', 'Method') ?? '')));
  const bearer = version === '1.1' ? BEARER_11 : BEARER_20;
  if (!methods.includes(bearer)) fail('PSSO_ERR_SAML_SUBJECT', 'no bearer subject confirmation');
  return subject;
}

/**
 * RFC 7522 §3 (2.0): each bearer SubjectConfirmation of the Subject has a SubjectConfirmationData
 * whose Recipient is this token endpoint and whose NotOnOrAfter has not passed.
 */
export function checkBearerConfirmations(
  root: XmlElement,
  policy: Pick<SamlBearerPolicy, 'recipient' | 'now' | 'skewMs'>,
): void {
  let bearers = 0;
  for (const subject of childElements(root, NS_SAML2, 'Subject')) {
    for (const confirmation of childElements(subject, NS_SAML2, 'SubjectConfirmation')) {
      if (attribute(confirmation, '', 'Method') !== BEARER_20) continue;
      bearers++;
      const data = childElements(confirmation, NS_SAML2, 'SubjectConfirmationData');
      const recipient =
        data.length === 1 ? attribute(data[0] as XmlElement, '', 'Recipient') : undefined;
      if (recipient === undefined)
        fail('PSSO_ERR_SAML_RECIPIENT', 'the bearer confirmation names no Recipient');
      if (recipient !== policy.recipient)
        fail('PSSO_ERR_SAML_RECIPIENT', 'the Recipient is not this token endpoint');
      const na = parseDateTime(attribute(data[0] as XmlElement, '', 'NotOnOrAfter') ?? '');
      if (na === undefined)
        fail('PSSO_ERR_SAML_CONDITIONS', 'the bearer confirmation has no NotOnOrAfter');
      if (policy.now.getTime() - na.getTime() >= policy.skewMs)
        fail('PSSO_ERR_SAML_CONDITIONS', 'the subject confirmation has expired');
    }
  }
  if (bearers === 0) fail('PSSO_ERR_SAML_SUBJECT', 'the Subject has no bearer confirmation');
}

/** In the document as sent (before canonicalization drops comments): names hold text only. */
export function checkNoMarkupInNames(root: XmlElement, version: SamlVersion): void {
  const ns = version === '1.1' ? NS_SAML1 : NS_SAML2;
  for (const name of descendants(root, ns, version === '1.1' ? 'NameIdentifier' : 'NameID')) {
    if (name.children.some((c) => c.type !== 'text'))
      fail('PSSO_ERR_SAML_SUBJECT', 'markup inside the subject name');
  }
}

function single(root: XmlElement, ns: string, local: string): string {
  const list = childElements(root, ns, local);
  if (list.length !== 1 || list[0] === undefined)
    fail('PSSO_ERR_SAML_ISSUER', `exactly one ${local} is required`);
  return textOf(list[0]).trim();
}

function fail(code: SamlErrorCode, why: string): never {
  throw new SamlError(code, `SAML bearer assertion refused: ${why}`);
}
