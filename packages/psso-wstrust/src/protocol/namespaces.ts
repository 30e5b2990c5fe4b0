/**
 * Every XML namespace URI the client and the reference IdP use: one definition, shared.
 *
 * @module
 */

/** SOAP 1.2 envelope. */
export const NS_SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
/** SOAP 1.1 envelope (recognised in order to be refused). */
export const NS_SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
/** WS-Addressing 1.0 (2005/08), used by both WS-Trust versions. */
export const NS_WSA = 'http://www.w3.org/2005/08/addressing';
/** WS-Security secext 1.0. */
export const NS_WSSE =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
/** WS-Security secext 1.1 (the `TokenType` attribute of a SecurityTokenReference). */
export const NS_WSSE11 = 'http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd';
/** WS-Security utility 1.0. */
export const NS_WSU =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
/** WS-Trust 1.3. */
export const NS_WST13 = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';
/** WS-Trust 2005 (February 2005). */
export const NS_WST2005 = 'http://schemas.xmlsoap.org/ws/2005/02/trust';
/** WS-Policy 2004/09. */
export const NS_WSP = 'http://schemas.xmlsoap.org/ws/2004/09/policy';
/** WS-SecurityPolicy 1.2 (used with WS-Trust 1.3). */
export const NS_SP13 = 'http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702';
/** WS-SecurityPolicy 2005/07 (used with WS-Trust 2005). */
export const NS_SP2005 = 'http://schemas.xmlsoap.org/ws/2005/07/securitypolicy';
/** WSDL 1.1. */
export const NS_WSDL = 'http://schemas.xmlsoap.org/wsdl/';
/** WSDL 1.1 SOAP 1.2 binding. */
export const NS_WSDL_SOAP12 = 'http://schemas.xmlsoap.org/wsdl/soap12/';
/** WSDL 1.1 SOAP 1.1 binding. */
export const NS_WSDL_SOAP11 = 'http://schemas.xmlsoap.org/wsdl/soap/';
/** WS-MetadataExchange 2004/09. */
export const NS_WSX = 'http://schemas.xmlsoap.org/ws/2004/09/mex';
/** Microsoft HTTP policy assertions (NegotiateAuthentication). */
export const NS_MS_HTTP_POLICY = 'http://schemas.microsoft.com/ws/06/2004/policy/http';
/** SAML 1.x assertion. */
export const NS_SAML1 = 'urn:oasis:names:tc:SAML:1.0:assertion';
/** SAML 2.0 assertion. */
export const NS_SAML2 = 'urn:oasis:names:tc:SAML:2.0:assertion';
/** XML Signature. */
export const NS_DSIG = 'http://www.w3.org/2000/09/xmldsig#';
/** The `xml` prefix, bound by definition. */
export const NS_XML = 'http://www.w3.org/XML/1998/namespace';
/** The `xmlns` prefix, bound by definition. */
export const NS_XMLNS = 'http://www.w3.org/2000/xmlns/';
