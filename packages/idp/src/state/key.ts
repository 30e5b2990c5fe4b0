/**
 * Cache keys for replay and lockout state: a SHA-256 digest over an unambiguous encoding of
 * (kind, scope, value), so a remembered nonce, assertion id or username is never kept in clear and
 * two different triples never share a key.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { canonicalUsername } from '../auth/username.js';

/** Domain separation: a digest made here is never equal to a digest of the same bytes elsewhere. */
const LABEL = Buffer.from('psso-wstrust/replay-key/v1\0', 'utf8');

/** Field tag: well-formed text, encoded as UTF-8. */
const TAG_UTF8 = 0x00;
/** Field tag: text with a lone surrogate, encoded code unit by code unit (UTF-16LE). */
const TAG_UTF16 = 0x01;

/**
 * Encodes one field as tag (1 byte) ‖ byte length (uint32, big-endian) ‖ bytes. The length prefix
 * makes the concatenation of fields unambiguous; the tag keeps the encoding injective for strings
 * that UTF-8 cannot represent (a lone surrogate would otherwise become U+FFFD).
 */
function field(text: string): [Buffer, Buffer] {
  const wellFormed = text.isWellFormed();
  const bytes = Buffer.from(text, wellFormed ? 'utf8' : 'utf16le');
  const header = Buffer.allocUnsafe(5);
  header.writeUInt8(wellFormed ? TAG_UTF8 : TAG_UTF16, 0);
  header.writeUInt32BE(bytes.length, 1);
  return [header, bytes];
}

/**
 * The cache key of (kind, scope, value): SHA-256 over a length-prefixed encoding, as base64url
 * (43 characters). Different triples give different keys (`('a', 'bc')` and `('ab', 'c')` differ);
 * the value cannot be read back from the key.
 *
 * @param kind - what the value is (`nonce`, `assertion-id`, `server-nonce`, or a store's own kind).
 * @param scope - where the value is unique (a username, an audience), or `''`.
 * @param value - the remembered value itself.
 *
 * @example
 * ```ts
 * const key = replayKey('nonce', 'alice@example.com', nonceBase64);
 * // 'V6Vb0Gm…' (43 base64url characters), the same on every IdP process
 * ```
 */
export function replayKey(kind: string, scope: string, value: string): string {
  if (typeof kind !== 'string' || typeof scope !== 'string' || typeof value !== 'string') {
    throw new TypeError('replayKey: kind, scope and value must be strings');
  }
  const hash = createHash('sha256').update(LABEL);
  for (const text of [kind, scope, value]) {
    const [header, bytes] = field(text);
    hash.update(header).update(bytes);
  }
  return hash.digest('base64url');
}

/**
 * The key of a username's lockout state: the username in its canonical form (NFC, case-folded,
 * the domain as an IDNA A-label) and digested, so `Alice@Example.COM` and `alice@example.com`
 * (or an NFD and an NFC spelling of one non-ASCII domain) share one counter and no username is
 * stored.
 *
 * @example
 * ```ts
 * lockoutKey('Alice@Example.com') === lockoutKey('alice@example.com'); // true
 * ```
 */
export function lockoutKey(username: string): string {
  return replayKey('lockout', '', normalizeUsername(username));
}

/**
 * How usernames are compared for lockout: {@link canonicalUsername}, after checking the argument
 * is a string (every lockout backend keys its rows with it).
 *
 * @throws {TypeError} when `username` is not a string.
 *
 * @example
 * ```ts
 * normalizeUsername('ALICE@example.com'); // 'alice@example.com'
 * ```
 */
export function normalizeUsername(username: string): string {
  if (typeof username !== 'string') throw new TypeError('username must be a string');
  return canonicalUsername(username);
}
