/**
 * The WS-Security header: one Security header, one UsernameToken (Username Token Profile 1.1.1),
 * an optional Timestamp, each element at most once; PasswordText only.
 *
 * @module
 */
import {
  BASE64_BINARY,
  NS_WSSE,
  NS_WSU,
  PASSWORD_DIGEST,
  PASSWORD_TEXT,
  parseDateTime,
} from 'psso-wstrust/protocol';
import type { XmlElement } from 'psso-wstrust/xml';
import { attribute, childElements, textOf } from 'psso-wstrust/xml';
import { StsFault, type StsFaultReason } from './fault.js';

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
  const security = exactlyOne(header, NS_WSSE, 'Security', 'security-header-count');
  const tokens = childElements(security, NS_WSSE, 'UsernameToken');
  if (tokens.length !== 1 || tokens[0] === undefined) throw new StsFault('username-token-count');
  const token = tokens[0];
  const username = textOf(exactlyOne(token, NS_WSSE, 'Username', 'username-count')).trim();
  if (username === '' || username.length > MAX_USERNAME) throw new StsFault('username-value');
  const passwordEl = exactlyOne(token, NS_WSSE, 'Password', 'password-count');
  const type = attribute(passwordEl, '', 'Type')?.trim();
  if (type === PASSWORD_DIGEST) throw new StsFault('password-digest');
  if (type !== undefined && type !== PASSWORD_TEXT) throw new StsFault('password-type');
  if (childElements(passwordEl).length > 0) throw new StsFault('password-markup');
  const password = textOf(passwordEl);
  if (password === '' || password.length > MAX_PASSWORD) throw new StsFault('password-value');
  const nonceEl = atMostOne(token, NS_WSSE, 'Nonce', 'duplicate-nonce');
  const createdEl = atMostOne(token, NS_WSU, 'Created', 'duplicate-created');
  let nonce: string | undefined;
  if (nonceEl !== undefined) {
    const encoding = attribute(nonceEl, '', 'EncodingType')?.trim();
    if (encoding !== undefined && encoding !== BASE64_BINARY) throw new StsFault('nonce-encoding');
    nonce = textOf(nonceEl).trim();
    if (!/^[A-Za-z0-9+/]{8,}={0,2}$/.test(nonce) || nonce.length > 256)
      throw new StsFault('nonce-value');
    if (createdEl === undefined) throw new StsFault('nonce-without-created');
  }
  const created = createdEl === undefined ? undefined : time(createdEl);
  const tsEl = atMostOne(security, NS_WSU, 'Timestamp', 'duplicate-timestamp');
  let timestamp: SecurityHeader['timestamp'];
  if (tsEl !== undefined) {
    const c = exactlyOne(tsEl, NS_WSU, 'Created', 'timestamp-created-count');
    const e = atMostOne(tsEl, NS_WSU, 'Expires', 'duplicate-timestamp-expires');
    timestamp = { created: time(c), expires: e === undefined ? undefined : time(e) };
    if (timestamp.expires !== undefined && timestamp.expires < timestamp.created)
      throw new StsFault('expires-before-created');
  }
  return { username, password, nonce, created, timestamp };
}

function time(el: XmlElement): Date {
  const date = parseDateTime(textOf(el));
  if (date === undefined) throw new StsFault('time-format');
  return date;
}

/** The one `ns:local` child of `parent`; refused as `reason` when there is none or several. */
function exactlyOne(
  parent: XmlElement,
  ns: string,
  local: string,
  reason: StsFaultReason,
): XmlElement {
  const list = childElements(parent, ns, local);
  if (list.length !== 1 || list[0] === undefined) throw new StsFault(reason);
  return list[0];
}

/** The `ns:local` child of `parent`, if any; refused as `reason` when there are several. */
function atMostOne(
  parent: XmlElement,
  ns: string,
  local: string,
  reason: StsFaultReason,
): XmlElement | undefined {
  const list = childElements(parent, ns, local);
  if (list.length > 1) throw new StsFault(reason);
  return list[0];
}
