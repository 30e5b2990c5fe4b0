/**
 * Character escaping exactly as Exclusive XML Canonicalization 1.0 renders text and attribute
 * values (it inherits the rules of Canonical XML 1.0, §2.3 and §4.x examples), so that text we
 * write is already in canonical form: a verifier that parses and canonicalizes it gets our bytes.
 *
 * - text nodes: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`, CR → `&#xD;`;
 * - attribute values: `&` → `&amp;`, `<` → `&lt;`, `"` → `&quot;`, TAB → `&#x9;`, LF → `&#xA;`,
 *   CR → `&#xD;`.
 *
 * Nothing else is escaped (not `'`, not `>` in attributes, not non-ASCII: canonical XML is UTF-8).
 * Characters XML 1.0 cannot carry at all (C0 controls other than TAB/LF/CR, lone surrogates,
 * U+FFFE, U+FFFF) are refused with a `TypeError`: no escaping can represent them.
 *
 * @module
 */
import { findInvalidChar } from 'psso-wstrust/xml';

const TEXT = /[&<>\r]/;
const TEXT_ALL = /[&<>\r]/g;
const ATTR = /[&<"\t\n\r]/;
const ATTR_ALL = /[&<"\t\n\r]/g;
const ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

function replace(ch: string): string {
  return ENTITY[ch] as string;
}

/**
 * Throws a `TypeError` unless `value` is a string made only of XML 1.0 `Char`s.
 *
 * @param what - names the value in the error message (never the value itself).
 * @example
 * ```ts
 * assertXmlChars(username, 'subject'); // TypeError for '\u0000' or a lone surrogate
 * ```
 */
export function assertXmlChars(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  const at = findInvalidChar(value);
  if (at !== -1) {
    const cp = value.codePointAt(at) ?? 0;
    throw new TypeError(
      `${what} contains a character XML cannot carry (U+${cp.toString(16).toUpperCase().padStart(4, '0')} at index ${at})`,
    );
  }
}

/**
 * Renders `value` as the content of a text node in canonical form.
 *
 * @param what - names the value in a `TypeError` for a character XML cannot carry.
 * @example
 * ```ts
 * `<saml:Audience>${c14nText(audience, 'audience')}</saml:Audience>`;
 * c14nText('a<b>&\r\n', 'x'); // 'a&lt;b&gt;&amp;&#xD;\n'
 * ```
 */
export function c14nText(value: string, what: string): string {
  assertXmlChars(value, what);
  return TEXT.test(value) ? value.replace(TEXT_ALL, replace) : value;
}

/**
 * Renders `value` as a double-quoted attribute value in canonical form.
 *
 * @param what - names the value in a `TypeError` for a character XML cannot carry.
 * @example
 * ```ts
 * `<saml:Conditions NotBefore="${c14nAttribute(notBefore, 'notBefore')}">`;
 * c14nAttribute('"a"\t<b>', 'x'); // '&quot;a&quot;&#x9;&lt;b>'
 * ```
 */
export function c14nAttribute(value: string, what: string): string {
  assertXmlChars(value, what);
  return ATTR.test(value) ? value.replace(ATTR_ALL, replace) : value;
}

const LINE_SEPARATOR = /[\u0085\u2028\u2029]/;
const LINE_SEPARATOR_ALL = /[\u0085\u2028\u2029]/g;

function lineSeparatorRef(ch: string): string {
  return `&#x${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()};`;
}

/**
 * Writes NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) as character
 * references in a document we send. They are plain characters in XML 1.0 and canonical XML writes
 * them literally (so the digest is computed over the literal form), but some XML 1.0 parsers apply
 * XML 1.1 line-end normalization to the raw text — @xmldom/xmldom does, and so xml-crypto's
 * verifier — and would read a literal one as LF, changing the canonical form and breaking the
 * digest. A character reference reaches every parser's data model as the character itself.
 * None of them can occur in markup we write (names are ASCII or NCNames, which exclude them), only
 * in text and attribute values, where a reference is valid.
 *
 * @example
 * ```ts
 * protectLineSeparators('<a>x\u2028y</a>'); // '<a>x&#x2028;y</a>'
 * ```
 */
export function protectLineSeparators(text: string): string {
  return LINE_SEPARATOR.test(text) ? text.replace(LINE_SEPARATOR_ALL, lineSeparatorRef) : text;
}
