/**
 * Differential harness: the same document through saxes 6 (`xmlns: true`) and through
 * {@link parseXml}, both reduced to one plain tree shape, then compared.
 *
 * Text is compared exactly as each parser reports it, not merged: one text node per run of
 * character data between two pieces of markup (saxes' `text` event), one per CDATA section
 * (saxes' `cdata` event), each flagged. Comments and PIs are compared inside the root only (the
 * tree keeps nothing outside it).
 */
import assert from 'node:assert/strict';
import { SaxesParser } from 'saxes';
import { XmlError } from '../../../packages/psso-wstrust/src/errors.ts';
import type { XmlElement, XmlNode } from '../../../packages/psso-wstrust/src/xml/dom.ts';
import { parseXml } from '../../../packages/psso-wstrust/src/xml/parse.ts';

/** A plain element, as both parsers can describe it. */
export interface PlainElement {
  type: 'element';
  name: string;
  prefix: string;
  local: string;
  ns: string;
  /** Namespace declarations made on the element itself, in document order. */
  declared: Array<[string, string]>;
  attributes: Array<{ name: string; prefix: string; local: string; ns: string; value: string }>;
  children: PlainNode[];
}

/** A plain node. */
export type PlainNode =
  | PlainElement
  | { type: 'text'; value: string; cdata: boolean }
  | { type: 'comment'; value: string }
  | { type: 'pi'; target: string; value: string };

/** What saxes made of a document, with what the exceptions need to know. */
export interface SaxesOutcome {
  readonly root: PlainElement | undefined;
  readonly error: Error | undefined;
  /** The XML declaration saxes read, if it got that far. */
  readonly version: string | undefined;
  readonly encoding: string | undefined;
  /** A namespace declaration whose value saxes trims (so it binds another URI than written). */
  readonly trimmedNamespace: boolean;
}

/** Parses with saxes into a plain tree; never throws. */
export function saxesParse(xml: string): SaxesOutcome {
  const parser = new SaxesParser({ xmlns: true });
  const stack: PlainElement[] = [];
  let root: PlainElement | undefined;
  let version: string | undefined;
  let encoding: string | undefined;
  let trimmedNamespace = false;
  const add = (node: PlainNode): void => {
    stack.at(-1)?.children.push(node);
  };
  parser.on('xmldecl', (decl) => {
    version = decl.version;
    encoding = decl.encoding;
  });
  parser.on('attribute', (a) => {
    if ((a.name === 'xmlns' || a.name.startsWith('xmlns:')) && a.value !== a.value.trim()) {
      trimmedNamespace = true;
    }
  });
  parser.on('opentag', (tag) => {
    const el: PlainElement = {
      type: 'element',
      name: tag.name,
      prefix: tag.prefix,
      local: tag.local,
      ns: tag.uri,
      declared: Object.entries(tag.ns),
      attributes: Object.values(tag.attributes).map((a) => ({
        name: a.name,
        prefix: a.prefix,
        local: a.local,
        ns: a.uri,
        value: a.value,
      })),
      children: [],
    };
    add(el);
    root ??= el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (value) => add({ type: 'text', value, cdata: false }));
  parser.on('cdata', (value) => add({ type: 'text', value, cdata: true }));
  parser.on('comment', (value) => add({ type: 'comment', value }));
  parser.on('processinginstruction', (pi) =>
    add({ type: 'pi', target: pi.target, value: pi.body }),
  );
  try {
    parser.write(xml).close();
    return { root, error: undefined, version, encoding, trimmedNamespace };
  } catch (error) {
    return { root: undefined, error: error as Error, version, encoding, trimmedNamespace };
  }
}

/** Reduces one of our elements to the plain shape, checking its offsets on the way. */
export function plain(source: string, el: XmlElement): PlainElement {
  const text = source.slice(el.start, el.end);
  assert.ok(text.startsWith(`<${el.name}`) && text.endsWith('>'), `offsets of <${el.name}>`);
  return {
    type: 'element',
    name: el.name,
    prefix: el.prefix,
    local: el.local,
    ns: el.ns,
    declared: el.namespaces === undefined ? [] : [...el.namespaces],
    attributes: el.attributes.map((a) => ({ ...a })),
    children: el.children.map((c: XmlNode): PlainNode => {
      if (c.type === 'element') {
        assert.ok(c.start >= el.start && c.end <= el.end, 'a child lies inside its parent');
        return plain(source, c);
      }
      return { ...c };
    }),
  };
}

/** Limits far past anything generated, so that only well-formedness is compared. */
export const NO_LIMITS = { maxBytes: 1 << 30, maxDepth: 1 << 20, maxAttributes: 1 << 20 };

/** Our outcome: a plain tree or an XmlError; any other exception is rethrown (a bug). */
export function ourParse(xml: string): PlainElement | XmlError {
  try {
    const doc = parseXml(xml, NO_LIMITS);
    return plain(doc.source, doc.root);
  } catch (error) {
    if (error instanceof XmlError) return error;
    throw error;
  }
}

/** What {@link agree} found. */
export type Verdict =
  | 'accepted'
  | 'refused'
  | 'doctype'
  | 'encoding'
  | 'version'
  | 'surrogate'
  | 'saxes-lax'
  | 'saxes-trims';

/**
 * Asserts that our parser and saxes agree on `xml`: both refuse it, or both accept it with the
 * same tree. Returns which, or which of the deliberate differences below applied.
 *
 * Deliberate differences (each checked narrowly, never just skipped):
 * - Every DOCTYPE is refused (`PSSO_ERR_XML_DOCTYPE`); saxes skips internal subsets it cannot use.
 * - A declared encoding other than UTF-8 / US-ASCII is refused (`PSSO_ERR_XML_ENCODING`): the
 *   text was decoded as UTF-8, so any other label is a lie or a mistake.
 * - A version other than 1.0 is refused. saxes switches to XML 1.1 rules (NEL and U+2028 as line
 *   ends, other characters): XML 1.0 (5th ed.) §2.8 lets a 1.0 processor read 1.x only as 1.0, so
 *   neither tree would be right for a real 1.1 document; refusing is the safe choice.
 * - saxes trims namespace declaration values (`value.trim()`); Namespaces in XML 1.0 §2.2 and §3
 *   make the namespace name the attribute's normalized value, and CDATA normalization (XML 1.0
 *   §3.3.3) never trims. Documents where the trim changes something are exempt.
 * - saxes checks a prefixed name only as a Name, so it takes `p:1x` or `p:-x` with a local part
 *   that does not start with a NameStartChar; Namespaces in XML 1.0 §3 (`LocalPart ::= NCName`)
 *   and §4 refuse it. Checked at the position of our error: the name there must be one of these.
 * - saxes reads `<?t?x?>` as target `t`, body `?x`; XML 1.0 §2.6 requires white space between
 *   the target and the body (`PI ::= '<?' PITarget (S ...)? '?>'`). Checked at our error.
 * - A lone surrogate in a string is not an XML Char (XML 1.0 §2.2) and is always refused; saxes
 *   reads a high surrogate with whatever follows it as one code point.
 */
export function agree(xml: string): Verdict {
  const ours = ourParse(xml);
  const theirs = saxesParse(xml);
  const context = `${JSON.stringify(xml)}\nours: ${ours instanceof XmlError ? ours.message : 'accepted'}\nsaxes: ${theirs.error?.message ?? 'accepted'}`;
  if (ours instanceof XmlError) {
    if (ours.code === 'PSSO_ERR_XML_DOCTYPE') {
      assert.ok(xml.includes('<!DOCTYPE'), context);
      return 'doctype';
    }
    if (ours.code === 'PSSO_ERR_XML_ENCODING') {
      const label = theirs.encoding?.toLowerCase();
      assert.ok(label !== undefined && label !== 'utf-8' && label !== 'us-ascii', context);
      return 'encoding';
    }
    if (theirs.version !== undefined && theirs.version !== '1.0') return 'version';
    if (!xml.isWellFormed()) return 'surrogate';
    if (theirs.error === undefined && saxesIsLax(xml, ours)) return 'saxes-lax';
  } else {
    assert.ok(xml.isWellFormed(), `accepted a lone surrogate: ${context}`);
    assert.ok(theirs.version === undefined || theirs.version === '1.0', context);
  }
  if (theirs.trimmedNamespace) return 'saxes-trims';
  assert.equal(ours instanceof XmlError, theirs.error !== undefined, context);
  if (ours instanceof XmlError) return 'refused';
  assert.deepEqual(ours, theirs.root, context);
  return 'accepted';
}

/** A prefixed name whose local part starts with a NameChar that is not a NameStartChar. */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: combining marks U+0300-U+036F are NameChars, matched one code point each
const LOCAL_NOT_NAME_START = /^[^\t\n\r />=?:]+:[-.0-9\u00B7\u0300-\u036F\u203F\u2040]/u;
/** A PI target followed by `?` but not by `?>`. */
const PI_WITHOUT_SPACE = /^<\?[^\t\n\r ?]+\?(?!>)/;

/** Whether our error is one of the two places where saxes accepts what the specs refuse. */
function saxesIsLax(xml: string, ours: XmlError): boolean {
  const at = offsetOf(xml, ours.line, ours.column);
  if (ours.code === 'PSSO_ERR_XML_NAMESPACE' && LOCAL_NOT_NAME_START.test(xml.slice(at)))
    return true;
  // The target then runs on past the `?` (`<?a?:?>`): refused as a name, or as a qualified name
  // when it holds a colon.
  return (
    (ours.message.startsWith('Invalid name') ||
      ours.message.startsWith('Invalid qualified name')) &&
    PI_WITHOUT_SPACE.test(xml.slice(at - 2))
  );
}

/** Offset in `xml` of a 1-based line and column of ours (columns count from a BOM-less text). */
function offsetOf(xml: string, line: number, column: number): number {
  const start = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  let i = start;
  for (let l = 1; l < line; l++) {
    while (i < xml.length && xml[i] !== '\n' && xml[i] !== '\r') i++;
    i += xml.startsWith('\r\n', i) ? 2 : 1;
  }
  return i + column - 1;
}
