/**
 * The SAML 2.0 assertion, written directly in exclusive-canonical form (Exclusive XML
 * Canonicalization 1.0) and without its signature. The canonical rules are followed by
 * construction, as in {@link canonicalAssertion11}: `xmlns:saml2` alone on the Assertion and
 * first, unqualified attributes sorted by local name, start+end tag pairs, no declaration, no
 * white space between elements, canonical escaping.
 *
 * Content, in schema order: Assertion (ID, IssueInstant, Version 2.0) / Issuer (the signature
 * goes right after it) / Subject (NameID with Format; bearer SubjectConfirmation whose
 * SubjectConfirmationData has NotOnOrAfter = `notOnOrAfter` and Recipient when given) /
 * Conditions (NotBefore, NotOnOrAfter) / AudienceRestriction / Audience; AttributeStatement (left
 * out when there are no attributes, since its schema needs one); AuthnStatement (AuthnInstant) /
 * AuthnContext / AuthnContextClassRef PasswordProtectedTransport.
 *
 * Attributes: `Name` is the attribute's `name` (its `namespace` is not used in SAML 2.0), and
 * `NameFormat` is `…:attrname-format:uri` when that name is an absolute URI (a scheme and a colon,
 * such as `http://schemas.xmlsoap.org/claims/UPN`), else `…:attrname-format:unspecified` (such as
 * `IDPEmail`), so the format never claims a URI that is not one. Values are untyped
 * (no `xsi:type`): a QName inside an attribute value would need its prefix kept by an
 * InclusiveNamespaces list, which exclusive c14n otherwise drops.
 *
 * @module
 */
import { NS_SAML2 } from 'psso-wstrust/protocol';
import { c14nAttribute, c14nText } from './c14n.js';
import { checkParams, nonEmpty } from './params.js';
import type { AssertionParams } from './types.js';

/** SAML 2.0 bearer subject confirmation method. */
export const SAML2_CM_BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
/** SAML 2.0 authentication context class: a password over a protected transport. */
export const SAML2_AC_PASSWORD_PROTECTED_TRANSPORT =
  'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
/** Attribute NameFormat of a name that is an absolute URI. */
export const SAML2_ATTRNAME_FORMAT_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
/** Attribute NameFormat of any other name. */
export const SAML2_ATTRNAME_FORMAT_UNSPECIFIED =
  'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified';
/** The end tag of the Issuer: the enveloped signature goes right after it. */
export const SAML2_ISSUER_END = '</saml2:Issuer>';

const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * The NameFormat given to an attribute name: `uri` for an absolute URI, else `unspecified`.
 *
 * @example
 * ```ts
 * attributeNameFormat('http://schemas.xmlsoap.org/claims/UPN'); // '…:attrname-format:uri'
 * attributeNameFormat('IDPEmail'); // '…:attrname-format:unspecified'
 * ```
 */
export function attributeNameFormat(name: string): string {
  return ABSOLUTE_URI.test(name) ? SAML2_ATTRNAME_FORMAT_URI : SAML2_ATTRNAME_FORMAT_UNSPECIFIED;
}

/**
 * Builds the canonical text of a SAML 2.0 assertion without its signature.
 *
 * @throws TypeError when `params` is misused: `samlVersion` not `'2.0'`, `id` not an NCName, an
 *   invalid or out-of-range date, `notBefore` not before `notOnOrAfter`, an empty issuer,
 *   audience, subject, recipient or attribute name, or a character XML cannot carry.
 * @example
 * ```ts
 * const text = canonicalAssertion20({
 *   samlVersion: '2.0',
 *   id: '_0f4f3c0e-4b1e-4c55-9d43-5f0c2b7a8e11',
 *   issuer: 'https://idp.example.com/adfs/services/trust',
 *   issueInstant: now,
 *   notBefore: now,
 *   notOnOrAfter: new Date(now.getTime() + 3600_000),
 *   audience: 'urn:federation:MicrosoftOnline',
 *   subject: 'alice@example.com',
 *   recipient: 'https://login.example.com/token',
 *   attributes: [{ name: 'http://schemas.xmlsoap.org/claims/UPN', namespace: '', values: ['alice@example.com'] }],
 *   authnInstant: now,
 * });
 * // '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_0f4f…'
 * ```
 */
export function canonicalAssertion20(params: AssertionParams): string {
  const p = checkParams(params, '2.0');
  const recipient =
    params.recipient === undefined
      ? ''
      : ` Recipient="${c14nAttribute(nonEmpty(params.recipient, 'recipient'), 'recipient')}"`;
  let attributes = '';
  p.attributes.forEach((a, i) => {
    attributes +=
      `<saml2:Attribute Name="${c14nAttribute(a.name, `attributes[${i}].name`)}" ` +
      `NameFormat="${attributeNameFormat(a.name)}">`;
    for (const v of a.values)
      attributes += `<saml2:AttributeValue>${c14nText(v, `attributes[${i}].values`)}</saml2:AttributeValue>`;
    attributes += '</saml2:Attribute>';
  });
  return (
    `<saml2:Assertion xmlns:saml2="${NS_SAML2}" ID="${p.id}" ` +
    `IssueInstant="${p.issueInstant}" Version="2.0">` +
    `<saml2:Issuer>${c14nText(p.issuer, 'issuer')}${SAML2_ISSUER_END}` +
    '<saml2:Subject>' +
    `<saml2:NameID Format="${c14nAttribute(p.nameIdFormat, 'nameIdFormat')}">` +
    `${c14nText(p.subject, 'subject')}</saml2:NameID>` +
    `<saml2:SubjectConfirmation Method="${SAML2_CM_BEARER}">` +
    `<saml2:SubjectConfirmationData NotOnOrAfter="${p.notOnOrAfter}"${recipient}>` +
    '</saml2:SubjectConfirmationData></saml2:SubjectConfirmation></saml2:Subject>' +
    `<saml2:Conditions NotBefore="${p.notBefore}" NotOnOrAfter="${p.notOnOrAfter}">` +
    '<saml2:AudienceRestriction>' +
    `<saml2:Audience>${c14nText(p.audience, 'audience')}</saml2:Audience>` +
    '</saml2:AudienceRestriction></saml2:Conditions>' +
    (attributes === ''
      ? ''
      : `<saml2:AttributeStatement>${attributes}</saml2:AttributeStatement>`) +
    `<saml2:AuthnStatement AuthnInstant="${p.authnInstant}"><saml2:AuthnContext>` +
    `<saml2:AuthnContextClassRef>${SAML2_AC_PASSWORD_PROTECTED_TRANSPORT}` +
    '</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>' +
    '</saml2:Assertion>'
  );
}
