/**
 * The IdP's MEX document, shaped like AD FS's: `wsdl:definitions` as the root (MSAL's parser finds
 * nothing inside a wrapper), WS-Trust 1.3 and 2005 usernamemixed (https, TransportBinding),
 * Windows-integrated endpoints, and a 2005 message-security `username` endpoint
 * (SymmetricBinding) that a password client must not choose.
 *
 * @module
 */
import {
  NS_MS_HTTP_POLICY,
  NS_SP13,
  NS_SP2005,
  NS_WSA,
  NS_WSDL,
  NS_WSDL_SOAP12,
  NS_WSP,
  NS_WSU,
  SOAP_HTTP_TRANSPORT,
  WSTRUST13,
  WSTRUST2005,
} from 'psso-wstrust/protocol';
import { escapeAttribute, escapeText } from 'psso-wstrust/xml';

/** Paths of the endpoints the MEX lists, relative to the origin. */
export const STS_PATHS = Object.freeze({
  mex: '/adfs/services/trust/mex',
  usernamemixed13: '/adfs/services/trust/13/usernamemixed',
  usernamemixed2005: '/adfs/services/trust/2005/usernamemixed',
  windowstransport13: '/adfs/services/trust/13/windowstransport',
  windowstransport2005: '/adfs/services/trust/2005/windowstransport',
  username2005: '/adfs/services/trust/2005/username',
});

const TNS = 'http://schemas.microsoft.com/ws/2008/06/identity/securitytokenservice';

function policy(id: string, assertions: string): string {
  return `<wsp:Policy wsu:Id="${id}"><wsp:ExactlyOne><wsp:All>${assertions}</wsp:All></wsp:ExactlyOne></wsp:Policy>`;
}

function transport(sp: string): string {
  return (
    `<${sp}:TransportBinding><wsp:Policy><${sp}:TransportToken><wsp:Policy><${sp}:HttpsToken${sp === 'sp' ? ' RequireClientCertificate="false"' : ''}/></wsp:Policy></${sp}:TransportToken>` +
    `<${sp}:AlgorithmSuite><wsp:Policy><${sp}:Basic256/></wsp:Policy></${sp}:AlgorithmSuite><${sp}:Layout><wsp:Policy><${sp}:Strict/></wsp:Policy></${sp}:Layout>` +
    `<${sp}:IncludeTimestamp/></wsp:Policy></${sp}:TransportBinding>`
  );
}

function usernameToken(sp: string, supporting: string): string {
  return (
    `<${sp}:${supporting}><wsp:Policy><${sp}:UsernameToken ${sp}:IncludeToken="${sp === 'sp' ? 'http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702/IncludeToken/AlwaysToRecipient' : 'http://schemas.xmlsoap.org/ws/2005/07/securitypolicy/IncludeToken/AlwaysToRecipient'}">` +
    `<wsp:Policy><${sp}:WssUsernameToken10/></wsp:Policy></${sp}:UsernameToken></wsp:Policy></${sp}:${supporting}>`
  );
}

function binding(name: string, policyId: string, action: string): string {
  return (
    `<wsdl:binding name="${name}" type="tns:${name.includes('13') ? 'IWSTrust13Async' : 'IWSTrustFeb2005Async'}">` +
    `<wsp:PolicyReference URI="#${policyId}"/><soap12:binding transport="${SOAP_HTTP_TRANSPORT}"/>` +
    `<wsdl:operation name="${name.includes('13') ? 'Trust13IssueAsync' : 'TrustFeb2005IssueAsync'}"><soap12:operation soapAction="${action}" style="document"/>` +
    '<wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation></wsdl:binding>'
  );
}

function port(name: string, address: string): string {
  const a = escapeText(address);
  return (
    `<wsdl:port name="${name}" binding="tns:${name}"><soap12:address location="${escapeAttribute(address)}"/>` +
    `<wsa10:EndpointReference><wsa10:Address>${a}</wsa10:Address></wsa10:EndpointReference></wsdl:port>`
  );
}

/**
 * The MEX document for an STS reachable at `origin` (e.g. `https://127.0.0.1:8443`).
 *
 * @example
 * ```ts
 * const xml = mexDocument('https://sts.example.com');
 * parseMex(xml).usernamePassword[0]?.address; // 'https://sts.example.com/adfs/services/trust/13/usernamemixed'
 * ```
 */
export function mexDocument(origin: string): string {
  const u = (path: string) => `${origin}${path}`;
  const http = `<http:NegotiateAuthentication xmlns:http="${NS_MS_HTTP_POLICY}"/>`;
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions name="SecurityTokenService" targetNamespace="${TNS}" xmlns:wsdl="${NS_WSDL}" xmlns:tns="${TNS}" ` +
    `xmlns:soap12="${NS_WSDL_SOAP12}" xmlns:wsa10="${NS_WSA}" xmlns:wsu="${NS_WSU}" xmlns:wsp="${NS_WSP}" ` +
    `xmlns:sp="${NS_SP13}" xmlns:sp2005="${NS_SP2005}">` +
    policy('CustomBinding_IWSTrustFeb2005Async_policy', `${http}${transport('sp2005')}`) +
    policy(
      'CustomBinding_IWSTrustFeb2005Async1_policy',
      `${transport('sp2005')}${usernameToken('sp2005', 'SignedSupportingTokens')}`,
    ) +
    policy(
      'CustomBinding_IWSTrustFeb2005Async2_policy',
      '<sp2005:SymmetricBinding><wsp:Policy><sp2005:IncludeTimestamp/></wsp:Policy></sp2005:SymmetricBinding>' +
        usernameToken('sp2005', 'SignedSupportingTokens'),
    ) +
    policy('CustomBinding_IWSTrust13Async_policy', `${http}${transport('sp')}`) +
    policy(
      'UserNameWSTrustBinding_IWSTrust13Async_policy',
      `${transport('sp')}${usernameToken('sp', 'SignedEncryptedSupportingTokens')}`,
    ) +
    binding(
      'CustomBinding_IWSTrustFeb2005Async',
      'CustomBinding_IWSTrustFeb2005Async_policy',
      WSTRUST2005.issueAction,
    ) +
    binding(
      'CustomBinding_IWSTrustFeb2005Async1',
      'CustomBinding_IWSTrustFeb2005Async1_policy',
      WSTRUST2005.issueAction,
    ) +
    binding(
      'CustomBinding_IWSTrustFeb2005Async2',
      'CustomBinding_IWSTrustFeb2005Async2_policy',
      WSTRUST2005.issueAction,
    ) +
    binding(
      'CustomBinding_IWSTrust13Async',
      'CustomBinding_IWSTrust13Async_policy',
      WSTRUST13.issueAction,
    ) +
    binding(
      'UserNameWSTrustBinding_IWSTrust13Async',
      'UserNameWSTrustBinding_IWSTrust13Async_policy',
      WSTRUST13.issueAction,
    ) +
    '<wsdl:service name="SecurityTokenService">' +
    port('CustomBinding_IWSTrustFeb2005Async', u(STS_PATHS.windowstransport2005)) +
    port('CustomBinding_IWSTrustFeb2005Async1', u(STS_PATHS.usernamemixed2005)) +
    port('CustomBinding_IWSTrustFeb2005Async2', u(STS_PATHS.username2005)) +
    port('CustomBinding_IWSTrust13Async', u(STS_PATHS.windowstransport13)) +
    port('UserNameWSTrustBinding_IWSTrust13Async', u(STS_PATHS.usernamemixed13)) +
    '</wsdl:service></wsdl:definitions>'
  );
}
