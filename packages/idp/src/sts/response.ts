/**
 * The STS's answers, laid out as AD FS lays them out (and as PlatformSSOCore's own generators do):
 * Action, RelatesTo = the request's MessageID, a five-minute security Timestamp; for a token, the
 * RSTR (inside the collection for 1.3) with Lifetime, AppliesTo, the assertion, attached and
 * unattached references, TokenType, RequestType and KeyType.
 *
 * @module
 */
import {
  formatDateTime,
  NS_SOAP11,
  NS_SOAP12,
  NS_WSA,
  NS_WSP,
  NS_WSSE,
  NS_WSSE11,
  NS_WSU,
  SAML_ASSERTION_ID_VALUE_TYPE,
  SAML2_ASSERTION_ID_VALUE_TYPE,
  TOKEN_TYPE,
  WSA_FAULT_ACTION,
  type WsTrustVersion,
  wsTrustConstants,
} from 'psso-wstrust/protocol';
import { escapeText } from 'psso-wstrust/xml';
import { subcodeNamespace, type WireFault } from './fault.js';

/** Lifetime of the security-header Timestamp. */
export const TIMESTAMP_MS = 5 * 60_000;

/** What a token response carries. */
export interface TokenResponse {
  readonly version: WsTrustVersion;
  /** The request's MessageID, or undefined to omit RelatesTo. */
  readonly relatesTo: string | undefined;
  readonly now: Date;
  readonly lifetime: { readonly created: Date; readonly expires: Date };
  readonly appliesTo: string;
  /** The RequestedSecurityToken content: the signed assertion (or, under fault injection, more). */
  readonly token: string;
  readonly assertionId: string;
  readonly samlVersion: '1.1' | '2.0';
  /** Overrides the TokenType (fault injection). */
  readonly tokenType?: string;
  /** A SOAP 1.1 envelope instead (fault injection). */
  readonly soap11?: boolean;
}

/** The token response body. */
export function tokenResponse(r: TokenResponse): string {
  const v = wsTrustConstants(r.version);
  const saml2 = r.samlVersion === '2.0';
  const reference =
    `<o:SecurityTokenReference k:TokenType="${saml2 ? TOKEN_TYPE.saml20Profile : TOKEN_TYPE.saml11Profile}" xmlns:k="${NS_WSSE11}" xmlns:o="${NS_WSSE}">` +
    `<o:KeyIdentifier ValueType="${saml2 ? SAML2_ASSERTION_ID_VALUE_TYPE : SAML_ASSERTION_ID_VALUE_TYPE}">${escapeText(r.assertionId)}</o:KeyIdentifier>` +
    '</o:SecurityTokenReference>';
  const rstr =
    `<trust:RequestSecurityTokenResponse${r.version === '2005' ? ` xmlns:trust="${v.ns}"` : ''}>` +
    `<trust:Lifetime><wsu:Created xmlns:wsu="${NS_WSU}">${formatDateTime(r.lifetime.created)}</wsu:Created><wsu:Expires xmlns:wsu="${NS_WSU}">${formatDateTime(r.lifetime.expires)}</wsu:Expires></trust:Lifetime>` +
    `<wsp:AppliesTo xmlns:wsp="${NS_WSP}"><wsa:EndpointReference xmlns:wsa="${NS_WSA}"><wsa:Address>${escapeText(r.appliesTo)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>` +
    `<trust:RequestedSecurityToken>${r.token}</trust:RequestedSecurityToken>` +
    `<trust:RequestedAttachedReference>${reference}</trust:RequestedAttachedReference>` +
    `<trust:RequestedUnattachedReference>${reference}</trust:RequestedUnattachedReference>` +
    `<trust:TokenType>${escapeText(r.tokenType ?? (saml2 ? TOKEN_TYPE.saml20 : TOKEN_TYPE.saml11))}</trust:TokenType>` +
    `<trust:RequestType>${v.requestType}</trust:RequestType>` +
    `<trust:KeyType>${v.keyType}</trust:KeyType>` +
    '</trust:RequestSecurityTokenResponse>';
  const body =
    r.version === '1.3'
      ? `<trust:RequestSecurityTokenResponseCollection xmlns:trust="${v.ns}">${rstr}</trust:RequestSecurityTokenResponseCollection>`
      : rstr;
  return envelope(v.responseAction, r.relatesTo, r.now, body, r.soap11 === true);
}

/** A SOAP 1.2 fault, with RelatesTo when the request's MessageID is known. */
export function faultResponse(
  wire: WireFault,
  version: WsTrustVersion,
  relatesTo: string | undefined,
  now: Date,
  soap11 = false,
): string {
  const subcode =
    wire.subcode === undefined
      ? ''
      : `<s:Subcode><s:Value xmlns:${wire.subcode.ns}="${subcodeNamespace(wire.subcode, version)}">${wire.subcode.ns}:${wire.subcode.local}</s:Value></s:Subcode>`;
  const fault =
    `<s:Fault><s:Code><s:Value>s:${wire.code}</s:Value>${subcode}</s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeText(wire.reason)}</s:Text></s:Reason>` +
    (wire.retryAfterMs === undefined
      ? ''
      : `<s:Detail><a:RetryAfter>${Math.max(0, Math.floor(wire.retryAfterMs))}</a:RetryAfter></s:Detail>`) +
    '</s:Fault>';
  return envelope(WSA_FAULT_ACTION, relatesTo, now, fault, soap11);
}

function envelope(
  action: string,
  relatesTo: string | undefined,
  now: Date,
  body: string,
  soap11: boolean,
): string {
  const created = formatDateTime(now);
  const expires = formatDateTime(new Date(now.getTime() + TIMESTAMP_MS));
  return (
    `<s:Envelope xmlns:s="${soap11 ? NS_SOAP11 : NS_SOAP12}" xmlns:a="${NS_WSA}" xmlns:u="${NS_WSU}"><s:Header>` +
    `<a:Action s:mustUnderstand="1">${action}</a:Action>` +
    (relatesTo === undefined ? '' : `<a:RelatesTo>${escapeText(relatesTo)}</a:RelatesTo>`) +
    `<o:Security s:mustUnderstand="1" xmlns:o="${NS_WSSE}"><u:Timestamp u:Id="_0"><u:Created>${created}</u:Created><u:Expires>${expires}</u:Expires></u:Timestamp></o:Security>` +
    `</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}
