/**
 * The first checks of an incoming RequestSecurityToken: a SOAP 1.2 envelope, every mandatory
 * header understood, WS-Addressing of the endpoint's version. Each check is one small function.
 *
 * @module
 */
import {
  NS_SOAP12,
  NS_WSA,
  NS_WSSE,
  type WsTrustVersion,
  wsTrustConstants,
} from 'psso-wstrust/protocol';
import { readSoapEnvelope } from 'psso-wstrust/soap';
import type { XmlElement } from 'psso-wstrust/xml';
import { attribute, childElements, textOf } from 'psso-wstrust/xml';
import { StsFault } from './fault.js';

/** Header and Body of a SOAP 1.2 request. */
export interface RequestEnvelope {
  readonly header: XmlElement;
  readonly body: XmlElement;
}

/**
 * A SOAP 1.2 Envelope with one Header and one Body (the shared reader, `src/soap/envelope.ts`,
 * plus a Header required); SOAP 1.1 gets a VersionMismatch fault.
 */
export function readRequestEnvelope(root: XmlElement): RequestEnvelope {
  const r = readSoapEnvelope(root);
  if (!r.ok) throw new StsFault(r.problem, r.problem === 'envelope-shape' ? r.detail : undefined);
  if (r.header === undefined)
    throw new StsFault('envelope-shape', 'expected exactly Header then Body');
  return { header: r.header, body: r.body };
}

const UNDERSTOOD: ReadonlyArray<readonly [string, string]> = [
  [NS_WSA, 'Action'],
  [NS_WSA, 'MessageID'],
  [NS_WSA, 'ReplyTo'],
  [NS_WSA, 'To'],
  [NS_WSSE, 'Security'],
];

/** SOAP 1.2 §5.2.3: a header block with mustUnderstand="true" we do not process is a fault. */
export function checkMustUnderstand(header: XmlElement): void {
  for (const block of childElements(header)) {
    const mu = attribute(block, NS_SOAP12, 'mustUnderstand')?.trim();
    if (mu !== '1' && mu !== 'true') continue;
    if (!UNDERSTOOD.some(([ns, local]) => block.ns === ns && block.local === local)) {
      throw new StsFault('must-understand', `${block.ns} ${block.local}`);
    }
  }
}

/** What is wrong with a request's MessageID. */
export type MessageIdProblem =
  /** `wsa:messageID` (lower-case m), as ADAL for Python and adal-node send it. */
  | 'lowercase'
  | 'missing'
  | 'repeated'
  /** Empty, or longer than 256 characters. */
  | 'invalid';

/** The request's MessageID, or why there is none to relate the answer to. */
export type MessageIdReading =
  | { readonly id: string; readonly problem?: undefined }
  | { readonly id?: undefined; readonly problem: MessageIdProblem };

/**
 * The `wsa:MessageID` the answer's RelatesTo will carry: exactly one, non-empty, at most 256
 * characters. Anything else is reported, not thrown: AD FS serves such requests (for years ADAL
 * sent `wsa:messageID`), and the pipeline decides (see `strict`).
 *
 * @example
 * ```ts
 * const m = readMessageId(header);
 * if (m.id === undefined) log.warn(`no usable MessageID: ${m.problem}`);
 * ```
 */
export function readMessageId(header: XmlElement): MessageIdReading {
  const ids = childElements(header, NS_WSA, 'MessageID');
  if (ids.length > 1) return { problem: 'repeated' };
  if (ids[0] === undefined) {
    const lower = childElements(header, NS_WSA, 'messageID').length > 0;
    return { problem: lower ? 'lowercase' : 'missing' };
  }
  const id = textOf(ids[0]).trim();
  if (id === '' || id.length > 256) return { problem: 'invalid' };
  return { id };
}

/**
 * The `wsa:Action` must be the Issue action of the endpoint's version: a 2005 request posted to
 * the 1.3 endpoint is refused. The HTTP SOAPAction header is not consulted (macOS sends the 1.3
 * SOAPAction to 2005 endpoints too).
 */
export function checkAction(header: XmlElement, version: WsTrustVersion): void {
  const actions = childElements(header, NS_WSA, 'Action');
  const action = actions.length === 1 && actions[0] !== undefined ? textOf(actions[0]).trim() : '';
  if (action !== wsTrustConstants(version).issueAction) {
    throw new StsFault('wrong-action', `wsa:Action is not the WS-Trust ${version} Issue action`);
  }
  for (const local of ['To', 'ReplyTo']) {
    if (childElements(header, NS_WSA, local).length > 1)
      throw new StsFault('duplicate-addressing', local);
  }
}
