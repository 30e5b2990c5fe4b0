/** Builds small MEX documents with one knob per selection rule. */
export interface MexDocOptions {
  /** Prefix renames: every namespace gets an unusual prefix. */
  odd?: boolean;
  wrap?: 'none' | 'soap' | 'metadata';
  address13?: string;
  address2005?: string | null;
  transport?: boolean;
  /** soap12 (default) or soap11 binding. */
  soap?: '12' | '11';
  policy?: 'username' | 'symmetric' | 'none';
  port?: boolean;
  epr?: boolean;
  windows?: boolean;
}

export function mexDoc(o: MexDocOptions = {}): string {
  const p = o.odd
    ? {
        wsdl: 'w0',
        wsp: 'p0',
        sp: 'q0',
        sp5: 'q5',
        wsu: 'u0',
        soap12: 's0',
        wsa10: 'a0',
        tns: 'zz',
        http: 'h0',
      }
    : {
        wsdl: 'wsdl',
        wsp: 'wsp',
        sp: 'sp',
        sp5: 'sp',
        wsu: 'wsu',
        soap12: 'soap12',
        wsa10: 'wsa10',
        tns: 'tns',
        http: 'http',
      };
  const soapNs =
    o.soap === '11'
      ? 'http://schemas.xmlsoap.org/wsdl/soap/'
      : 'http://schemas.xmlsoap.org/wsdl/soap12/';
  const policy13 = policy(
    p,
    p.sp,
    'http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702',
    'SignedEncryptedSupportingTokens',
    'P13',
    o,
  );
  const policy2005 = policy(
    p,
    p.sp5,
    'http://schemas.xmlsoap.org/ws/2005/07/securitypolicy',
    'SignedSupportingTokens',
    'P2005',
    o,
  );
  const windows = o.windows
    ? `<${p.wsp}:Policy ${p.wsu}:Id="PWIN"><${p.wsp}:ExactlyOne><${p.wsp}:All><${p.http}:NegotiateAuthentication xmlns:${p.http}="http://schemas.microsoft.com/ws/06/2004/policy/http"/><${p.sp}:TransportBinding xmlns:${p.sp}="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"/></${p.wsp}:All></${p.wsp}:ExactlyOne></${p.wsp}:Policy>`
    : '';
  const binding = (name: string, policyId: string, action: string) =>
    `<${p.wsdl}:binding name="${name}" type="${p.tns}:I"><${p.wsp}:PolicyReference URI="#${policyId}"/>` +
    `<${p.soap12}:binding transport="${o.transport === false ? 'urn:other' : 'http://schemas.xmlsoap.org/soap/http'}"/>` +
    `<${p.wsdl}:operation name="Issue"><${p.soap12}:operation soapAction="${action}" style="document"/></${p.wsdl}:operation></${p.wsdl}:binding>`;
  const port = (name: string, address: string) =>
    o.port === false
      ? ''
      : `<${p.wsdl}:port name="${name}" binding="${p.tns}:${name}"><${p.soap12}:address location="${address}"/>` +
        (o.epr === false
          ? ''
          : `<${p.wsa10}:EndpointReference><${p.wsa10}:Address>${address}</${p.wsa10}:Address></${p.wsa10}:EndpointReference>`) +
        `</${p.wsdl}:port>`;
  const a13 = o.address13 ?? 'https://sts.example.com/adfs/services/trust/13/usernamemixed';
  const a2005 =
    o.address2005 === undefined
      ? 'https://sts.example.com/adfs/services/trust/2005/usernamemixed'
      : o.address2005;
  const defs =
    `<${p.wsdl}:definitions xmlns:${p.wsdl}="http://schemas.xmlsoap.org/wsdl/" xmlns:${p.wsp}="http://schemas.xmlsoap.org/ws/2004/09/policy" ` +
    `xmlns:${p.wsu}="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:${p.soap12}="${soapNs}" ` +
    `xmlns:${p.wsa10}="http://www.w3.org/2005/08/addressing" xmlns:${p.tns}="http://tempuri.org/" targetNamespace="http://tempuri.org/">` +
    policy13 +
    (a2005 === null ? '' : policy2005) +
    windows +
    binding('B13', 'P13', 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue') +
    (a2005 === null
      ? ''
      : binding('B2005', 'P2005', 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue')) +
    (o.windows
      ? binding('BWIN', 'PWIN', 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue')
      : '') +
    `<${p.wsdl}:service name="STS">${port('B13', a13)}${a2005 === null ? '' : port('B2005', a2005)}${o.windows ? port('BWIN', 'https://sts.example.com/adfs/services/trust/13/windowstransport') : ''}</${p.wsdl}:service>` +
    `</${p.wsdl}:definitions>`;
  if (o.wrap === 'soap') {
    return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x:Metadata xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/mex"><x:MetadataSection>${defs}</x:MetadataSection></x:Metadata></s:Body></s:Envelope>`;
  }
  if (o.wrap === 'metadata') {
    return `<Metadata xmlns="http://schemas.xmlsoap.org/ws/2004/09/mex"><MetadataSection Dialect="http://schemas.xmlsoap.org/wsdl/">${defs}</MetadataSection></Metadata>`;
  }
  return defs;
}

function policy(
  p: Record<string, string>,
  sp: string,
  spNs: string,
  supporting: string,
  id: string,
  o: MexDocOptions,
): string {
  if (o.policy === 'none') return '';
  const binding = o.policy === 'symmetric' ? 'SymmetricBinding' : 'TransportBinding';
  return (
    `<${p.wsp}:Policy ${p.wsu}:Id="${id}"><${p.wsp}:ExactlyOne><${p.wsp}:All>` +
    `<${sp}:${binding} xmlns:${sp}="${spNs}"/>` +
    `<${sp}:${supporting} xmlns:${sp}="${spNs}"><${p.wsp}:Policy><${sp}:UsernameToken><${p.wsp}:Policy><${sp}:WssUsernameToken10/></${p.wsp}:Policy></${sp}:UsernameToken></${p.wsp}:Policy></${sp}:${supporting}>` +
    `</${p.wsp}:All></${p.wsp}:ExactlyOne></${p.wsp}:Policy>`
  );
}
