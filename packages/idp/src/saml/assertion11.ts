/**
 * The SAML 1.1 assertion AD FS issues by default, written directly in exclusive-canonical form
 * (Exclusive XML Canonicalization 1.0) and without its signature.
 *
 * The template follows the canonical rules by construction: the one namespace declaration
 * (`xmlns:saml`) on the Assertion and before its attributes, attributes in (namespace URI, local
 * name) order — all are unqualified, so by local name in code-unit order — every element written
 * as a start and end tag, no XML declaration, no white space between elements, text and attribute
 * values escaped by {@link c14nText} / {@link c14nAttribute}. The result is a fixed point of
 * exclusive c14n, and stands alone when cut out of a larger document.
 *
 * Content (as in AD FS's tokens): Assertion (AssertionID, IssueInstant, Issuer, MajorVersion 1,
 * MinorVersion 1) / Conditions (NotBefore, NotOnOrAfter) / AudienceRestrictionCondition /
 * Audience; AttributeStatement (Subject, then each Attribute with AttributeName = `name`,
 * AttributeNamespace = `namespace` and one AttributeValue per value; left out when there are no
 * attributes, since its schema needs one); AuthenticationStatement (AuthenticationInstant,
 * AuthenticationMethod password) / Subject. The Subject is NameIdentifier (Format) + bearer
 * SubjectConfirmation. The signature, added by the signer, goes last (the schema's place).
 *
 * @module
 */
import { NS_SAML1 } from 'psso-wstrust/protocol';
import { c14nAttribute, c14nText } from './c14n.js';
import { checkParams } from './params.js';
import type { AssertionParams } from './types.js';

/** SAML 1.x bearer confirmation method. */
export const SAML11_CM_BEARER = 'urn:oasis:names:tc:SAML:1.0:cm:bearer';
/** SAML 1.x password authentication method. */
export const SAML11_AM_PASSWORD = 'urn:oasis:names:tc:SAML:1.0:am:password';
/** The end tag of the assertion: the enveloped signature goes right before it. */
export const SAML11_ASSERTION_END = '</saml:Assertion>';

/**
 * Builds the canonical text of a SAML 1.1 assertion without its signature.
 *
 * @throws TypeError when `params` is misused: `samlVersion` not `'1.1'`, `id` not an NCName,
 *   an invalid or out-of-range date, `notBefore` not before `notOnOrAfter`, an empty issuer,
 *   audience, subject, attribute name or namespace, an attribute without values, or a character
 *   XML cannot carry.
 * @example
 * ```ts
 * const text = canonicalAssertion11({
 *   samlVersion: '1.1',
 *   id: '_bf137f90-7dd7-4668-8a39-8bf55eb52017',
 *   issuer: 'https://idp.example.com/adfs/services/trust',
 *   issueInstant: now,
 *   notBefore: now,
 *   notOnOrAfter: new Date(now.getTime() + 3600_000),
 *   audience: 'urn:federation:MicrosoftOnline',
 *   subject: 'alice@example.com',
 *   attributes: [{ name: 'UPN', namespace: 'http://schemas.xmlsoap.org/claims', values: ['alice@example.com'] }],
 *   authnInstant: now,
 * });
 * // '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_bf13…'
 * ```
 */
export function canonicalAssertion11(params: AssertionParams): string {
  const p = checkParams(params, '1.1');
  const subject =
    `<saml:Subject><saml:NameIdentifier Format="${c14nAttribute(p.nameIdFormat, 'nameIdFormat')}">` +
    `${c14nText(p.subject, 'subject')}</saml:NameIdentifier><saml:SubjectConfirmation>` +
    `<saml:ConfirmationMethod>${SAML11_CM_BEARER}</saml:ConfirmationMethod>` +
    '</saml:SubjectConfirmation></saml:Subject>';
  let attributes = '';
  p.attributes.forEach((a, i) => {
    attributes +=
      `<saml:Attribute AttributeName="${c14nAttribute(a.name, `attributes[${i}].name`)}" ` +
      `AttributeNamespace="${c14nAttribute(a.namespace, `attributes[${i}].namespace`)}">`;
    for (const v of a.values)
      attributes += `<saml:AttributeValue>${c14nText(v, `attributes[${i}].values`)}</saml:AttributeValue>`;
    attributes += '</saml:Attribute>';
  });
  return (
    `<saml:Assertion xmlns:saml="${NS_SAML1}" AssertionID="${p.id}" ` +
    `IssueInstant="${p.issueInstant}" Issuer="${c14nAttribute(p.issuer, 'issuer')}" ` +
    'MajorVersion="1" MinorVersion="1">' +
    `<saml:Conditions NotBefore="${p.notBefore}" NotOnOrAfter="${p.notOnOrAfter}">` +
    '<saml:AudienceRestrictionCondition>' +
    `<saml:Audience>${c14nText(p.audience, 'audience')}</saml:Audience>` +
    '</saml:AudienceRestrictionCondition></saml:Conditions>' +
    (attributes === ''
      ? ''
      : `<saml:AttributeStatement>${subject}${attributes}</saml:AttributeStatement>`) +
    `<saml:AuthenticationStatement AuthenticationInstant="${p.authnInstant}" ` +
    `AuthenticationMethod="${SAML11_AM_PASSWORD}">${subject}</saml:AuthenticationStatement>` +
    SAML11_ASSERTION_END
  );
}
