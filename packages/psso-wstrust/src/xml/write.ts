/**
 * Escaping for XML we emit. Every text and attribute value we write goes through one of these.
 *
 * @module
 */

const TEXT = /[&<>\r]/;
const TEXT_ALL = /[&<>\r]/g;
const ATTR = /[&<>"'\t\n\r]/;
const ATTR_ALL = /[&<>"'\t\n\r]/g;
const ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function replace(ch: string): string {
  return ENTITY[ch] as string;
}

/**
 * Escapes character data: `& < >` and CR (so it survives line-end normalization).
 *
 * @example
 * ```ts
 * `<Username>${escapeText(username)}</Username>`;
 * ```
 */
export function escapeText(value: string): string {
  return TEXT.test(value) ? value.replace(TEXT_ALL, replace) : value;
}

/**
 * Escapes an attribute value for either quote style: `& < > " '` and TAB, LF, CR (so they survive
 * attribute-value normalization).
 *
 * @example
 * ```ts
 * `<To Id="${escapeAttribute(id)}">`;
 * ```
 */
export function escapeAttribute(value: string): string {
  return ATTR.test(value) ? value.replace(ATTR_ALL, replace) : value;
}
