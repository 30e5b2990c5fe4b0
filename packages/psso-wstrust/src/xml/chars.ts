/**
 * Character classes of XML 1.0 (fifth edition) and Namespaces in XML 1.0.
 *
 * @module
 */

/** The first character that is not an XML `Char` (lone surrogates included), or -1. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Offset of the first character of `text` that may not appear in an XML document, or -1. */
export function findInvalidChar(text: string): number {
  return text.search(NOT_XML_CHAR);
}

const FORBIDDEN: readonly string[] = [
  ...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).filter(
    (ch) => ch !== '\t' && ch !== '\n' && ch !== '\r',
  ),
  '\uFFFE',
  '\uFFFF',
];

/**
 * {@link findInvalidChar} for a whole document, faster: one native scan per forbidden character
 * (string search is vectorized, a character-class regular expression is not).
 */
export function findInvalidCharFast(text: string): number {
  if (!text.isWellFormed()) return findInvalidChar(text);
  let first = -1;
  for (const ch of FORBIDDEN) {
    const at = text.indexOf(ch);
    if (at !== -1 && (first === -1 || at < first)) first = at;
  }
  return first;
}

/** Whether a code point is an XML `Char`. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** XML white space: space, tab, CR, LF. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** ASCII classes: 1 = NameStartChar, 2 = NameChar only, 3 = ':', 0 = not in a name. */
export const NAME_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f) NAME_CLASS[c] = 1;
  else if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e) NAME_CLASS[c] = 2;
  else if (c === 0x3a) NAME_CLASS[c] = 3;
}

const NC_NAME =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: the XML NameChar ranges include combining marks on purpose
  /^[A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}][A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}\-.0-9\u00B7\u0300-\u036F\u203F-\u2040]*$/u;

/** Whether `s[start, end)` is an NCName (an XML name without a colon). */
export function isNcName(s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return NC_NAME.test(s.slice(start, end));
    const k = NAME_CLASS[c];
    if (k === 0 || k === 3 || (k === 2 && i === start)) return false;
  }
  return true;
}

/** Whether `c` may end a name in a tag: white space, `/`, `>`, `=` or `?`. */
export function endsName(c: number): boolean {
  return (
    c === 0x20 ||
    c === 0x3e ||
    c === 0x2f ||
    c === 0x0a ||
    c === 0x09 ||
    c === 0x0d ||
    c === 0x3d ||
    c === 0x3f
  );
}
