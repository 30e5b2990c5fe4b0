/**
 * Building the WS-Trust RequestSecurityToken (Issue) with a WS-Security UsernameToken.
 *
 * Two request profiles:
 * - `macos` (default): exactly what Platform SSO sends — no Timestamp; a UsernameToken with
 *   Username and Password only; MessageID `urn:uuid:<UPPERCASE UUID>`; the WS-Trust 1.3 SOAPAction
 *   even to a 2005 endpoint.
 * - `wss11`: a full Username Token Profile 1.1.1 token — Password with its PasswordText Type, a
 *   random Nonce, Created — plus a security-header Timestamp, and the version's own SOAPAction.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { RstError } from '../errors.js';
import { assertDate, formatDateTime } from '../lib/time.js';
import type { MexEndpoint } from '../mex/types.js';
import { NS_SOAP12, NS_WSA, NS_WSP, NS_WSSE, NS_WSU } from '../protocol/namespaces.js';
import {
  BASE64_BINARY,
  PASSWORD_TEXT,
  WSA_ANONYMOUS,
  WSTRUST13,
  wsTrustConstants,
} from '../protocol/wstrust.js';
import { findInvalidChar } from '../xml/chars.js';
import { escapeText as text } from '../xml/write.js';

/** The request profile: what Platform SSO sends, or a full Username Token Profile 1.1.1 token. */
export type RequestProfile = 'macos' | 'wss11';

/** How the password is carried. Only `PasswordText` exists in Platform SSO. */
export type PasswordType = 'PasswordText' | 'PasswordDigest';

/** Parameters of {@link buildRequestSecurityToken}. */
export interface RequestSecurityTokenParams {
  readonly endpoint: MexEndpoint;
  /** `wsp:AppliesTo` address: the login configuration's federationRequestURN. No default. */
  readonly appliesTo: string;
  readonly username: string;
  readonly password: string;
  /** Default `macos`. */
  readonly profile?: RequestProfile;
  /** Default `PasswordText`; `PasswordDigest` is refused (`PSSO_ERR_RST_PASSWORD_DIGEST_UNSUPPORTED`). */
  readonly passwordType?: PasswordType;
  /** Clock for the `wss11` Created/Timestamp. Default: now. */
  readonly now?: Date;
}

/** A built request: the SOAP body, the MessageID the response must relate to, the SOAPAction. */
export interface RequestSecurityToken {
  readonly body: string;
  readonly messageId: string;
  readonly soapAction: string;
}

/** Lifetime of the `wss11` security-header Timestamp. */
const TIMESTAMP_SECONDS = 300;

/**
 * Builds a RequestSecurityToken for `endpoint`. Every value is XML-escaped.
 *
 * @throws {RstError} `PSSO_ERR_RST_PASSWORD_DIGEST_UNSUPPORTED` when PasswordDigest is asked for.
 * @throws {TypeError} on missing or malformed parameters.
 *
 * @example
 * ```ts
 * const rst = buildRequestSecurityToken({
 *   endpoint, appliesTo: 'urn:federation:MicrosoftOnline', username: 'alice@example.com', password,
 * });
 * // POST rst.body with SOAPAction rst.soapAction; check the reply's RelatesTo against rst.messageId
 * ```
 */
export function buildRequestSecurityToken(
  params: RequestSecurityTokenParams,
): RequestSecurityToken {
  const { endpoint, appliesTo, username, password } = checkParams(params);
  const profile = params.profile ?? 'macos';
  if (params.passwordType === 'PasswordDigest') {
    throw new RstError(
      'PSSO_ERR_RST_PASSWORD_DIGEST_UNSUPPORTED',
      'PasswordDigest is not supported: Platform SSO sends the password as PasswordText',
    );
  }
  const v = wsTrustConstants(endpoint.version);
  const messageId = `urn:uuid:${randomUUID().toUpperCase()}`;
  const tokenId = `uuid-${randomUUID().toUpperCase()}`;
  let security: string;
  if (profile === 'macos') {
    security =
      `<o:UsernameToken u:Id="${tokenId}"><o:Username>${text(username)}</o:Username>` +
      `<o:Password>${text(password)}</o:Password></o:UsernameToken>`;
  } else {
    const now = params.now ?? new Date();
    assertDate(now, 'now');
    const created = formatDateTime(now);
    const expires = formatDateTime(new Date(now.getTime() + TIMESTAMP_SECONDS * 1000));
    security =
      `<u:Timestamp u:Id="_0"><u:Created>${created}</u:Created><u:Expires>${expires}</u:Expires></u:Timestamp>` +
      `<o:UsernameToken u:Id="${tokenId}"><o:Username>${text(username)}</o:Username>` +
      `<o:Password Type="${PASSWORD_TEXT}">${text(password)}</o:Password>` +
      `<o:Nonce EncodingType="${BASE64_BINARY}">${randomBytes(16).toString('base64')}</o:Nonce>` +
      `<u:Created>${created}</u:Created></o:UsernameToken>`;
  }
  const body =
    `<s:Envelope xmlns:s="${NS_SOAP12}" xmlns:a="${NS_WSA}" xmlns:u="${NS_WSU}">` +
    '<s:Header>' +
    `<a:Action s:mustUnderstand="1">${v.issueAction}</a:Action>` +
    `<a:MessageID>${messageId}</a:MessageID>` +
    `<a:ReplyTo><a:Address>${WSA_ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<a:To s:mustUnderstand="1">${text(endpoint.address)}</a:To>` +
    `<o:Security s:mustUnderstand="1" xmlns:o="${NS_WSSE}">${security}</o:Security>` +
    '</s:Header>' +
    '<s:Body>' +
    `<trust:RequestSecurityToken xmlns:trust="${v.ns}">` +
    `<wsp:AppliesTo xmlns:wsp="${NS_WSP}"><a:EndpointReference><a:Address>${text(appliesTo)}</a:Address></a:EndpointReference></wsp:AppliesTo>` +
    `<trust:KeyType>${v.keyType}</trust:KeyType>` +
    `<trust:RequestType>${v.requestType}</trust:RequestType>` +
    '</trust:RequestSecurityToken>' +
    '</s:Body>' +
    '</s:Envelope>';
  return {
    body,
    messageId,
    soapAction: profile === 'macos' ? WSTRUST13.issueAction : v.issueAction,
  };
}

function checkParams(params: RequestSecurityTokenParams): RequestSecurityTokenParams {
  if (typeof params !== 'object' || params === null) {
    throw new TypeError('buildRequestSecurityToken: params must be an object');
  }
  const { endpoint, appliesTo, username, password, profile, passwordType } = params;
  if (
    typeof endpoint !== 'object' ||
    endpoint === null ||
    (endpoint.version !== '1.3' && endpoint.version !== '2005') ||
    typeof endpoint.address !== 'string' ||
    endpoint.address === ''
  ) {
    throw new TypeError(
      'endpoint must be a MexEndpoint with version "1.3" or "2005" and an address',
    );
  }
  if (typeof appliesTo !== 'string' || appliesTo.trim() === '') {
    throw new TypeError('appliesTo (the federationRequestURN) must be a non-empty string');
  }
  if (typeof username !== 'string' || username === '')
    throw new TypeError('username must be a non-empty string');
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  for (const [name, value] of [
    ['username', username],
    ['password', password],
    ['appliesTo', appliesTo],
    ['endpoint.address', endpoint.address],
  ] as const) {
    if (findInvalidChar(value) !== -1)
      throw new TypeError(`${name} contains a character XML cannot carry`);
  }
  if (profile !== undefined && profile !== 'macos' && profile !== 'wss11') {
    throw new TypeError('profile must be "macos" or "wss11"');
  }
  if (
    passwordType !== undefined &&
    passwordType !== 'PasswordText' &&
    passwordType !== 'PasswordDigest'
  ) {
    throw new TypeError('passwordType must be "PasswordText" or "PasswordDigest"');
  }
  return params;
}
