/**
 * Decoding of character data and attribute values: the five predefined entities, character
 * references, line-end normalization, and attribute-value normalization. Nothing else is ever
 * expanded: any other entity reference is refused.
 *
 * @module
 */
import { isNcName, isXmlChar } from './chars.js';

/** Why a reference could not be decoded, and where (offset in the decoded source). */
export interface EntityFailure {
  readonly kind: 'malformed' | 'undefined' | 'invalid-char';
  readonly offset: number;
}

const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/**
 * Decodes `source[start, end)`. In attribute mode, TAB/CR/LF become spaces (after line-end
 * normalization, so CRLF becomes one space); character references are never normalized.
 * Returns the decoded string, or an {@link EntityFailure}.
 */
export function decodeRange(
  source: string,
  start: number,
  end: number,
  attribute: boolean,
): string | EntityFailure {
  let out = '';
  let from = start;
  let i = start;
  while (i < end) {
    const c = source.charCodeAt(i);
    if (c === 0x26 /* & */) {
      out += source.slice(from, i);
      const semi = source.indexOf(';', i + 1);
      if (semi === -1 || semi >= end) return { kind: 'malformed', offset: i };
      const ref = decodeReference(source, i + 1, semi);
      if (typeof ref !== 'string') return ref;
      out += ref;
      i = semi + 1;
      from = i;
    } else if (c === 0x0d /* CR */) {
      out += source.slice(from, i);
      out += attribute ? ' ' : '\n';
      i += source.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      from = i;
    } else if (attribute && (c === 0x0a || c === 0x09)) {
      out += source.slice(from, i);
      out += ' ';
      i++;
      from = i;
    } else {
      i++;
    }
  }
  return from === start ? source.slice(start, end) : out + source.slice(from, end);
}

function decodeReference(source: string, start: number, semi: number): string | EntityFailure {
  if (source.charCodeAt(start) !== 0x23 /* # */) {
    const name = source.slice(start, semi);
    const value = PREDEFINED.get(name);
    if (value !== undefined) return value;
    // A Name may hold colons where an NCName may not; `_` is allowed exactly where `:` is.
    return isNcName(name.replaceAll(':', '_'), 0, name.length)
      ? { kind: 'undefined', offset: start - 1 }
      : { kind: 'malformed', offset: start - 1 };
  }
  const hex = source.charCodeAt(start + 1) === 0x78; /* x */
  const digits = source.slice(start + (hex ? 2 : 1), semi);
  // Any number of leading zeros is allowed; a value past U+10FFFF fails the Char test below.
  if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) {
    return { kind: 'malformed', offset: start - 1 };
  }
  const cp = Number.parseInt(digits, hex ? 16 : 10);
  if (!isXmlChar(cp)) return { kind: 'invalid-char', offset: start - 1 };
  return String.fromCodePoint(cp);
}
