/**
 * `psso-wstrust/protocol`: the protocol part of the client library that the reference IdP
 * (psso-wstrust-idp) and the CLI (psso-wstrust-cli) build on. A deliberate, documented public
 * entry: every name is listed (no `export *`) and pinned by test/exports.test.ts.
 *
 * @example
 * ```ts
 * import * as protocol from 'psso-wstrust/protocol';
 * ```
 */
export { formatDateTime, parseDateTime } from '../lib/time.js';
export { SOAP11_CONTENT_TYPE, SOAP12_CONTENT_TYPE } from './media-types.js';
export {
  NS_DSIG,
  NS_MS_HTTP_POLICY,
  NS_SAML1,
  NS_SAML2,
  NS_SOAP11,
  NS_SOAP12,
  NS_SP13,
  NS_SP2005,
  NS_WSA,
  NS_WSDL,
  NS_WSDL_SOAP12,
  NS_WSP,
  NS_WSSE,
  NS_WSSE11,
  NS_WST2005,
  NS_WSU,
} from './namespaces.js';
export {
  BASE64_BINARY,
  PASSWORD_DIGEST,
  PASSWORD_TEXT,
  SAML_ASSERTION_ID_VALUE_TYPE,
  SAML2_ASSERTION_ID_VALUE_TYPE,
  SOAP_HTTP_TRANSPORT,
  TOKEN_TYPE,
  WSA_FAULT_ACTION,
  WSTRUST13,
  WSTRUST2005,
  type WsTrustVersion,
  wsTrustConstants,
} from './wstrust.js';
