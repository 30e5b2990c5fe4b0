/**
 * Builds WS-Trust responses shaped like AD FS's, with one knob per validation rule, so each
 * negative test changes exactly one thing.
 */
export interface ResponseOptions {
  version?: '1.3' | '2005';
  relatesTo?: string | null;
  created?: string | null;
  expires?: string | null;
  lifetimeCreated?: string;
  lifetimeExpires?: string;
  lifetime?: boolean;
  tokenType?: string | null;
  /** The RequestedSecurityToken's content. */
  token?: string;
  soap?: '1.2' | '1.1';
  collection?: boolean;
  fault?: { code: string; subcode: string; reason: string; subcodeNs?: string };
}

export const T0 = '2026-11-29T10:00:00.000Z';
export const T0_DATE = new Date(T0);

export function saml11Assertion(id = '_a1'): string {
  return (
    `<saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="${id}" Issuer="https://sts.example.com/adfs/services/trust" IssueInstant="${T0}" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion">` +
    `<saml:Conditions NotBefore="${T0}" NotOnOrAfter="2026-11-29T11:00:00.000Z"><saml:AudienceRestrictionCondition><saml:Audience>urn:federation:MicrosoftOnline</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions>` +
    '<saml:AttributeStatement><saml:Subject><saml:NameIdentifier>alice@example.com</saml:NameIdentifier></saml:Subject></saml:AttributeStatement>' +
    '</saml:Assertion>'
  );
}

export function saml2Assertion(id = '_a2'): string {
  return (
    `<saml2:Assertion ID="${id}" IssueInstant="${T0}" Version="2.0" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">` +
    '<saml2:Issuer>https://sts.example.com/adfs/services/trust</saml2:Issuer>' +
    '<saml2:Subject><saml2:NameID>alice@example.com</saml2:NameID></saml2:Subject>' +
    '</saml2:Assertion>'
  );
}

export function response(o: ResponseOptions = {}): string {
  const version = o.version ?? '1.3';
  const trust =
    version === '1.3'
      ? 'http://docs.oasis-open.org/ws-sx/ws-trust/200512'
      : 'http://schemas.xmlsoap.org/ws/2005/02/trust';
  const soapNs =
    o.soap === '1.1'
      ? 'http://schemas.xmlsoap.org/soap/envelope/'
      : 'http://www.w3.org/2003/05/soap-envelope';
  const created = o.created === undefined ? T0 : o.created;
  const expires = o.expires === undefined ? '2026-11-29T10:05:00.000Z' : o.expires;
  const relatesTo =
    o.relatesTo === undefined ? 'urn:uuid:00000000-0000-0000-0000-000000000001' : o.relatesTo;
  const timestamp =
    created === null && expires === null
      ? ''
      : `<o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><u:Timestamp u:Id="_0">${created === null ? '' : `<u:Created>${created}</u:Created>`}${expires === null ? '' : `<u:Expires>${expires}</u:Expires>`}</u:Timestamp></o:Security>`;
  const header =
    '<s:Header><a:Action s:mustUnderstand="1">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal</a:Action>' +
    (relatesTo === null ? '' : `<a:RelatesTo>${relatesTo}</a:RelatesTo>`) +
    `${timestamp}</s:Header>`;
  let body: string;
  if (o.fault) {
    const ns =
      o.fault.subcodeNs ??
      'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
    body = `<s:Fault><s:Code><s:Value>${o.fault.code}</s:Value><s:Subcode><s:Value xmlns:a="${ns}">${o.fault.subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">${o.fault.reason}</s:Text></s:Reason></s:Fault>`;
  } else {
    const tokenType =
      o.tokenType === undefined ? 'urn:oasis:names:tc:SAML:1.0:assertion' : o.tokenType;
    const lifetime =
      o.lifetime === false
        ? ''
        : `<trust:Lifetime><wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${o.lifetimeCreated ?? T0}</wsu:Created><wsu:Expires xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${o.lifetimeExpires ?? '2026-11-29T11:00:00.000Z'}</wsu:Expires></trust:Lifetime>`;
    const rstr =
      '<trust:RequestSecurityTokenResponse>' +
      lifetime +
      '<wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>urn:federation:MicrosoftOnline</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>' +
      `<trust:RequestedSecurityToken>${o.token ?? saml11Assertion()}</trust:RequestedSecurityToken>` +
      (tokenType === null ? '' : `<trust:TokenType>${tokenType}</trust:TokenType>`) +
      '</trust:RequestSecurityTokenResponse>';
    const collection = o.collection ?? version === '1.3';
    body = collection
      ? `<trust:RequestSecurityTokenResponseCollection xmlns:trust="${trust}">${rstr}</trust:RequestSecurityTokenResponseCollection>`
      : rstr.replace(
          '<trust:RequestSecurityTokenResponse>',
          `<trust:RequestSecurityTokenResponse xmlns:trust="${trust}">`,
        );
  }
  return `<s:Envelope xmlns:s="${soapNs}" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${header}<s:Body>${body}</s:Body></s:Envelope>`;
}

export const MESSAGE_ID = 'urn:uuid:00000000-0000-0000-0000-000000000001';
