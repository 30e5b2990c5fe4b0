/**
 * The WS-Security header: one Security header, one UsernameToken (Username Token Profile 1.1.1),
 * an optional Timestamp, each element at most once; PasswordText only.
 *
 * @module
 */
import { parseDateTime } from '../../lib/time.js';
import { NS_WSSE, NS_WSU } from '../../protocol/namespaces.js';
import { BASE64_BINARY, PASSWORD_DIGEST, PASSWORD_TEXT } from '../../protocol/wstrust.js';
import type { XmlElement } from '../../xml/dom.js';
import { attribute, childElements, textOf } from '../../xml/query.js';
import { StsFault, WIRE } from './fault.js';

/** What the Security header carried. */
export interface SecurityHeader {
  readonly username: string;
  readonly password: string;
  /** The Nonce's base64 text, when sent. */
  readonly nonce: string | undefined;
  /** The UsernameToken's Created, when sent. */
  readonly created: Date | undefined;
  /** The security Timestamp, when sent. */
  readonly timestamp: { readonly created: Date; readonly expires: Date | undefined } | undefined;
}

/** Limits on token fields (the body limit bounds them too; these make intent explicit). */
const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;

/** Reads and checks the Security header. */
export function readSecurity(header: XmlElement): SecurityHeader {
  const security = exactlyOne(header, NS_WSSE, 'Security', 'security-header');
  const tokens = childElements(security, NS_WSSE, 'UsernameToken');
  if (tokens.length !== 1 || tokens[0] === undefined) throw invalid('username-token-count');
  const token = tokens[0];
  const username = textOf(exactlyOne(token, NS_WSSE, 'Username', 'username')).trim();
  if (username === '' || username.length > MAX_USERNAME) throw invalid('username-value');
  const passwordEl = exactlyOne(token, NS_WSSE, 'Password', 'password');
  const type = attribute(passwordEl, '', 'Type')?.trim();
  if (type === PASSWORD_DIGEST) throw new StsFault('password-digest', WIRE.unsupportedToken);
  if (type !== undefined && type !== PASSWORD_TEXT)
    throw new StsFault('password-type', WIRE.unsupportedToken);
  if (childElements(passwordEl).length > 0) throw invalid('password-markup');
  const password = textOf(passwordEl);
  if (password === '' || password.length > MAX_PASSWORD) throw invalid('password-value');
  const nonceEl = atMostOne(token, NS_WSSE, 'Nonce', 'nonce');
  const createdEl = atMostOne(token, NS_WSU, 'Created', 'created');
  let nonce: string | undefined;
  if (nonceEl !== undefined) {
    const encoding = attribute(nonceEl, '', 'EncodingType')?.trim();
    if (encoding !== undefined && encoding !== BASE64_BINARY) throw invalid('nonce-encoding');
    nonce = textOf(nonceEl).trim();
    if (!/^[A-Za-z0-9+/]{8,}={0,2}$/.test(nonce) || nonce.length > 256)
      throw invalid('nonce-value');
    if (createdEl === undefined) throw invalid('nonce-without-created');
  }
  const created = createdEl === undefined ? undefined : time(createdEl);
  const tsEl = atMostOne(security, NS_WSU, 'Timestamp', 'timestamp');
  let timestamp: SecurityHeader['timestamp'];
  if (tsEl !== undefined) {
    const c = exactlyOne(tsEl, NS_WSU, 'Created', 'timestamp-created');
    const e = atMostOne(tsEl, NS_WSU, 'Expires', 'timestamp-expires');
    timestamp = { created: time(c), expires: e === undefined ? undefined : time(e) };
    if (timestamp.expires !== undefined && timestamp.expires < timestamp.created)
      throw invalid('expires-before-created');
  }
  return { username, password, nonce, created, timestamp };
}

function time(el: XmlElement): Date {
  const date = parseDateTime(textOf(el));
  if (date === undefined) throw invalid('time-format');
  return date;
}

function exactlyOne(parent: XmlElement, ns: string, local: string, label: string): XmlElement {
  const list = childElements(parent, ns, local);
  if (list.length !== 1 || list[0] === undefined) throw invalid(`${label}-count`);
  return list[0];
}

function atMostOne(
  parent: XmlElement,
  ns: string,
  local: string,
  label: string,
): XmlElement | undefined {
  const list = childElements(parent, ns, local);
  if (list.length > 1) throw invalid(`duplicate-${label}`);
  return list[0];
}

function invalid(label: string): StsFault {
  return new StsFault(label, WIRE.invalidSecurity);
}
