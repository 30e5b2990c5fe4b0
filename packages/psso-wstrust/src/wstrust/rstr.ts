/**
 * The rules of a WS-Trust RequestSecurityTokenResponse body, in the order Platform SSO applies its
 * checks, then stricter where it is lax (the HTTP status and content type come first, in
 * `processSecurityTokenResponse`, `exchange.ts`):
 * 1. a well-formed SOAP 1.2 envelope (SOAP 1.1 refused with its own code);
 * 2. `wsa:RelatesTo` equals the request's MessageID (when one is expected), before anything else;
 * 3. a SOAP fault becomes an error (`FailedAuthentication` has its own code);
 * 4. the header Timestamp (Created required) and the RSTR Lifetime are current within the skew;
 * 5. the RSTR shape of the version, with exactly one RequestedSecurityToken holding one assertion;
 * 6. the TokenType maps to a grant type and agrees with the assertion.
 *
 * @module
 */
import { WsTrustError } from '../errors.js';
import { assertDate } from '../lib/time.js';
import { GRANT_TYPE, type SamlGrantType, type SamlVersion } from '../protocol/grant-types.js';
import { NS_SAML1, NS_SAML2 } from '../protocol/namespaces.js';
import {
  grantTypeForTokenType,
  type WsTrustVersion,
  wsTrustConstants,
} from '../protocol/wstrust.js';
import { verifyAssertionSignature } from '../saml/verify.js';
import type { XmlDocument, XmlElement } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { childElements, rawXml, textOf } from '../xml/query.js';
import { checkRelatesTo, readEnvelope, throwIfFault } from './envelope.js';
import { checkLifetime, checkMessageTimestamp } from './timestamps.js';

/** What the response must match. */
export interface ExpectedResponse {
  readonly version: WsTrustVersion;
  /** The request's MessageID. When given, the RelatesTo check is mandatory; omit it only to inspect a saved response offline. */
  readonly messageId?: string;
  /** Default: now. */
  readonly now?: Date;
  /** Allowed clock skew in seconds. Default 120, as Platform SSO. */
  readonly clockSkewSeconds?: number;
  /**
   * Stricter than macOS (which leaves the signature to the IdP): when given, the assertion's XML
   * signature must verify against one of these certificates (PEM) — the federation's
   * token-signing certificates — or `PSSO_ERR_SAML_SIGNATURE` / `PSSO_ERR_SAML_MALFORMED`.
   */
  readonly trustedSigningCertificates?: readonly string[];
  /** With `trustedSigningCertificates`: accept an RSA-SHA1 signature (see `VerifyOptions.allowSha1`). */
  readonly allowSha1?: boolean;
}

/** The token a WS-Trust response carried. */
export interface WsTrustToken {
  /** The TokenType, trimmed. */
  readonly tokenType: string;
  /** The OAuth grant type the TokenType maps to (RFC 7522). */
  readonly grantType: SamlGrantType;
  /** The exact text of the assertion element in the response, never re-serialized. */
  readonly assertion: string;
  readonly samlVersion: SamlVersion;
  /** The token Lifetime's Created, else the message Timestamp's. */
  readonly created?: Date;
  /** The token Lifetime's Expires, else the message Timestamp's. */
  readonly expires?: Date;
}

/** The default clock skew, as Platform SSO. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 120;

/**
 * Validates the body of a WS-Trust response and extracts its SAML assertion byte for byte: what
 * `processSecurityTokenResponse` runs after the status and content type, and what a saved body
 * alone is judged with.
 *
 * @throws {XmlError} when the body is not well-formed XML.
 * @throws {WsTrustFaultError} when the STS answered with a SOAP fault.
 * @throws {WsTrustError} when a validation rule fails; the code says which.
 *
 * @example
 * ```ts
 * const token = readSecurityTokenResponse(savedBody, { version: '1.3', messageId });
 * token.grantType; // 'urn:ietf:params:oauth:grant-type:saml1_1-bearer'
 * ```
 */
export function readSecurityTokenResponse(
  body: string | Uint8Array,
  expected: ExpectedResponse,
): WsTrustToken {
  const { version, messageId } = checkExpected(expected);
  const now = expected.now ?? new Date();
  const skewMs = (expected.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  const doc = parseXml(body);
  const envelope = readEnvelope(doc.root);
  if (messageId !== undefined) checkRelatesTo(envelope, messageId);
  throwIfFault(envelope);
  const message = checkMessageTimestamp(envelope.header, now, skewMs);
  const rstr = findRstr(envelope.body, version);
  const ns = wsTrustConstants(version).ns;
  const lifetime = checkLifetime(only(rstr, ns, 'Lifetime', 'Lifetime'), now, skewMs);
  const assertion = findAssertion(rstr, ns);
  const tokenType = readTokenType(rstr, ns);
  const mapped = grantTypeForTokenType(tokenType);
  if (mapped === undefined) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_UNKNOWN_TOKEN_TYPE',
      `The TokenType is not a SAML 1.1 or 2.0 token type (macOS would send it as ${GRANT_TYPE.saml2Bearer})`,
      tokenType,
    );
  }
  const samlVersion: SamlVersion = assertion.ns === NS_SAML1 ? '1.1' : '2.0';
  if (mapped.saml !== samlVersion) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_TOKEN_TYPE_MISMATCH',
      `The TokenType names SAML ${mapped.saml} but the token is a SAML ${samlVersion} assertion`,
    );
  }
  const window = lifetime ?? message;
  const assertionXml = rawXml(doc as XmlDocument, assertion);
  if (expected.trustedSigningCertificates !== undefined) {
    verifyAssertionSignature(assertionXml, expected.trustedSigningCertificates, {
      allowSha1: expected.allowSha1 === true,
    });
  }
  return {
    tokenType,
    grantType: mapped.grantType,
    assertion: assertionXml,
    samlVersion,
    ...(window.created === undefined ? {} : { created: window.created }),
    ...(window.expires === undefined ? {} : { expires: window.expires }),
  };
}

/** Step 5a: 1.3 needs the collection (with one RSTR); 2005 is a bare RSTR. */
export function findRstr(body: XmlElement, version: WsTrustVersion): XmlElement {
  const ns = wsTrustConstants(version).ns;
  const other = wsTrustConstants(version === '1.3' ? '2005' : '1.3').ns;
  const children = childElements(body);
  if (children.length !== 1) shape('The SOAP Body must hold exactly one element');
  const top = children[0] as XmlElement;
  if (version === '1.3') {
    if (top.ns === ns && top.local === 'RequestSecurityTokenResponseCollection') {
      const list = childElements(top, ns, 'RequestSecurityTokenResponse');
      if (list.length !== 1 || childElements(top).length !== 1) {
        throw new WsTrustError(
          'PSSO_ERR_WSTRUST_TOKEN_COUNT',
          'The RSTR collection must hold exactly one RequestSecurityTokenResponse',
        );
      }
      return list[0] as XmlElement;
    }
  } else if (top.ns === ns && top.local === 'RequestSecurityTokenResponse') {
    return top;
  }
  if (top.ns === other)
    shape(
      `The response is a WS-Trust ${version === '1.3' ? '2005' : '1.3'} response; ${version} was expected`,
    );
  return shape(
    version === '1.3'
      ? 'No RequestSecurityTokenResponseCollection in the SOAP Body'
      : 'No RequestSecurityTokenResponse in the SOAP Body',
  );
}

/** Step 5b: exactly one RequestedSecurityToken holding exactly one SAML assertion and no text. */
export function findAssertion(rstr: XmlElement, ns: string): XmlElement {
  const requested = childElements(rstr, ns, 'RequestedSecurityToken');
  if (requested.length !== 1) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_TOKEN_COUNT',
      `The RSTR holds ${requested.length === 0 ? 'no' : 'more than one'} RequestedSecurityToken`,
    );
  }
  const holder = requested[0] as XmlElement;
  const tokens = childElements(holder);
  if (tokens.length !== 1) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_TOKEN_COUNT',
      `The RequestedSecurityToken holds ${tokens.length === 0 ? 'no token' : 'more than one token'}`,
    );
  }
  if (textOf(holder).trim() !== '') shape('Text beside the token in RequestedSecurityToken');
  const token = tokens[0] as XmlElement;
  if (token.local !== 'Assertion' || (token.ns !== NS_SAML1 && token.ns !== NS_SAML2)) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_NOT_SAML',
      'The requested token is not a SAML 1.1 or 2.0 assertion',
    );
  }
  return token;
}

export function readTokenType(rstr: XmlElement, ns: string): string {
  const el = only(rstr, ns, 'TokenType', 'TokenType');
  const tokenType = el === undefined ? '' : textOf(el).trim();
  if (tokenType === '')
    throw new WsTrustError('PSSO_ERR_WSTRUST_TOKEN_TYPE_MISSING', 'The RSTR has no TokenType');
  return tokenType;
}

function only(parent: XmlElement, ns: string, local: string, what: string): XmlElement | undefined {
  const list = childElements(parent, ns, local);
  if (list.length > 1) shape(`More than one ${what} in the RSTR`);
  return list[0];
}

function shape(message: string): never {
  throw new WsTrustError('PSSO_ERR_WSTRUST_RESPONSE_SHAPE', message);
}

function checkExpected(expected: ExpectedResponse): ExpectedResponse {
  if (typeof expected !== 'object' || expected === null)
    throw new TypeError('expected must be an object');
  if (expected.version !== '1.3' && expected.version !== '2005')
    throw new TypeError('expected.version must be "1.3" or "2005"');
  if (
    expected.messageId !== undefined &&
    (typeof expected.messageId !== 'string' || expected.messageId === '')
  ) {
    throw new TypeError('expected.messageId must be a non-empty string');
  }
  if (expected.now !== undefined) assertDate(expected.now, 'expected.now');
  const skew = expected.clockSkewSeconds;
  if (skew !== undefined && (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0)) {
    throw new TypeError('expected.clockSkewSeconds must be a finite number >= 0');
  }
  const certs = expected.trustedSigningCertificates;
  if (
    certs !== undefined &&
    (!Array.isArray(certs) || certs.length === 0 || !certs.every((c) => typeof c === 'string'))
  ) {
    throw new TypeError(
      'expected.trustedSigningCertificates must be a non-empty array of PEM strings',
    );
  }
  return expected;
}
