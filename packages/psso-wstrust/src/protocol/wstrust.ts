/**
 * WS-Trust constants: versions, actions, request values, token types and the grant types they map
 * to (the grant types and SAML versions themselves are in `grant-types.ts`). One definition
 * shared by the client and the reference IdP.
 *
 * @module
 */
import { GRANT_TYPE, type SamlGrantType, type SamlVersion } from './grant-types.js';
import { NS_WST13, NS_WST2005 } from './namespaces.js';

/** The two WS-Trust versions Platform SSO speaks. */
export type WsTrustVersion = '1.3' | '2005';

/** Per-version constants of a WS-Trust Issue exchange. */
export interface WsTrustVersionConstants {
  readonly version: WsTrustVersion;
  /** The trust namespace. */
  readonly ns: string;
  /** `wsa:Action` and SOAPAction of the RST (also the MEX `soap12:operation/@soapAction`). */
  readonly issueAction: string;
  /** `wsa:Action` of the response AD FS sends. */
  readonly responseAction: string;
  readonly requestType: string;
  readonly keyType: string;
}

/** WS-Trust 1.3 constants. */
export const WSTRUST13: WsTrustVersionConstants = Object.freeze({
  version: '1.3',
  ns: NS_WST13,
  issueAction: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue',
  responseAction: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal',
  requestType: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue',
  keyType: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer',
});

/** WS-Trust 2005 constants. */
export const WSTRUST2005: WsTrustVersionConstants = Object.freeze({
  version: '2005',
  ns: NS_WST2005,
  issueAction: 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue',
  responseAction: 'http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/Issue',
  requestType: 'http://schemas.xmlsoap.org/ws/2005/02/trust/Issue',
  keyType: 'http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey',
});

/** The constants of a version. */
export function wsTrustConstants(version: WsTrustVersion): WsTrustVersionConstants {
  return version === '1.3' ? WSTRUST13 : WSTRUST2005;
}

/** `wsa:ReplyTo/wsa:Address` of a request answered on the same connection. */
export const WSA_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';
/** `wsa:Action` of a SOAP fault. */
export const WSA_FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';
/** `soap12:binding/@transport` of an HTTP binding. */
export const SOAP_HTTP_TRANSPORT = 'http://schemas.xmlsoap.org/soap/http';

/** UsernameToken Password Type: the plain text password. */
export const PASSWORD_TEXT =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
/** UsernameToken Password Type: a digest (not supported by Platform SSO). */
export const PASSWORD_DIGEST =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
/** EncodingType of a base64 Nonce. */
export const BASE64_BINARY =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/** TokenType values of SAML tokens. */
export const TOKEN_TYPE = Object.freeze({
  saml11: 'urn:oasis:names:tc:SAML:1.0:assertion',
  saml11Profile: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
  saml20: 'urn:oasis:names:tc:SAML:2.0:assertion',
  saml20Profile: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0',
} as const);

/** `KeyIdentifier/@ValueType` of a SAML 1.1 assertion reference. */
export const SAML_ASSERTION_ID_VALUE_TYPE =
  'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID';
/** `KeyIdentifier/@ValueType` of a SAML 2.0 assertion reference. */
export const SAML2_ASSERTION_ID_VALUE_TYPE =
  'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID';

const TOKEN_TYPES: ReadonlyMap<string, { grantType: SamlGrantType; saml: SamlVersion }> = new Map([
  [TOKEN_TYPE.saml11, { grantType: GRANT_TYPE.saml11Bearer, saml: '1.1' }],
  [TOKEN_TYPE.saml11Profile, { grantType: GRANT_TYPE.saml11Bearer, saml: '1.1' }],
  [TOKEN_TYPE.saml20, { grantType: GRANT_TYPE.saml2Bearer, saml: '2.0' }],
  [TOKEN_TYPE.saml20Profile, { grantType: GRANT_TYPE.saml2Bearer, saml: '2.0' }],
]);

/**
 * Maps a TokenType (already trimmed) to its grant type and SAML version; `undefined` when the
 * TokenType is none of the four SAML URIs.
 *
 * @example
 * ```ts
 * grantTypeForTokenType('urn:oasis:names:tc:SAML:1.0:assertion')?.grantType;
 * // 'urn:ietf:params:oauth:grant-type:saml1_1-bearer'
 * ```
 */
export function grantTypeForTokenType(
  tokenType: string,
): { grantType: SamlGrantType; saml: SamlVersion } | undefined {
  return TOKEN_TYPES.get(tokenType);
}
