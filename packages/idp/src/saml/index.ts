/**
 * The reference STS's SAML issuer: signed SAML 1.1 (as AD FS, the default) and SAML 2.0 bearer
 * assertions, written in exclusive-canonical form and signed with node:crypto.
 *
 * @example
 * ```ts
 * import { issueAssertion } from './idp/saml/index.js';
 * const assertion = issueAssertion(params, { privateKey, certificateDer });
 * ```
 *
 * @module
 */
export {
  canonicalAssertion11,
  SAML11_AM_PASSWORD,
  SAML11_ASSERTION_END,
  SAML11_CM_BEARER,
} from './assertion11.js';
export {
  attributeNameFormat,
  canonicalAssertion20,
  SAML2_AC_PASSWORD_PROTECTED_TRANSPORT,
  SAML2_ATTRNAME_FORMAT_UNSPECIFIED,
  SAML2_ATTRNAME_FORMAT_URI,
  SAML2_CM_BEARER,
  SAML2_ISSUER_END,
} from './assertion20.js';
export { assertXmlChars, c14nAttribute, c14nText, protectLineSeparators } from './c14n.js';
export { DEFAULT_NAME_ID_FORMAT } from './params.js';
export {
  ALG_ENVELOPED_SIGNATURE,
  ALG_EXC_C14N,
  ALG_RSA_SHA256,
  ALG_SHA256,
  canonicalAssertion,
  issueAssertion,
  issueAssertionWithXmlCrypto,
  unsignedAssertion,
} from './sign.js';
export type { AssertionParams, SamlAttribute, SigningMaterial } from './types.js';
