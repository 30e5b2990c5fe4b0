/**
 * A strict, namespace-aware parser for the subset of XML 1.0 that SOAP, WSDL and SAML use:
 * elements, attributes, namespaces, character data, CDATA, comments and processing instructions,
 * the five predefined entities and character references.
 *
 * A DOCTYPE is refused outright (`PSSO_ERR_XML_DOCTYPE`), so no DTD is ever read, no entity is
 * ever declared, and no external resource can be named. Limits bound size, depth and attributes.
 * Every element keeps its source offsets, so the exact text of a signed element can be handed on.
 *
 * @module
 */
import { XmlError, type XmlErrorCode } from '../errors.js';
import { endsName, findInvalidCharFast, isSpace } from './chars.js';
import type { XmlDocument, XmlElement, XmlNode, XmlProcessingInstruction } from './dom.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from './limits.js';
import { ROOT_SCOPE, resolveTag, type Scope } from './namespaces.js';
import { failAt, lineColumn } from './position.js';
import { Scanner } from './scanner.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The parser's own view of an element: the public one, before it is complete. */
interface Element extends XmlElement {
  readonly children: XmlNode[];
  readonly parent: Element | undefined;
  end: number;
}

/**
 * Parses untrusted XML. Bytes must be UTF-8 (a byte order mark is removed); a string is taken as
 * already decoded.
 *
 * @throws {XmlError} `PSSO_ERR_XML_*` with the line and column of the offending character.
 *
 * @example
 * ```ts
 * const doc = parseXml('<a:x xmlns:a="urn:a"><a:y>1</a:y></a:x>');
 * doc.root.ns; // 'urn:a'
 * doc.source.slice(doc.root.start, doc.root.end); // the exact text of the element
 * ```
 */
export function parseXml(input: string | Uint8Array, limits?: XmlLimits): XmlDocument {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new TypeError('parseXml: input must be a string or a Uint8Array');
  }
  const maxBytes = limits?.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes;
  const source = decode(input, maxBytes);
  return new Parser(source, limits).parseDocument();
}

function decode(input: string | Uint8Array, maxBytes: number): string {
  let text: string;
  if (typeof input === 'string') {
    if (
      input.length > maxBytes ||
      (input.length * 3 > maxBytes && Buffer.byteLength(input) > maxBytes)
    ) {
      throw new XmlError('PSSO_ERR_XML_TOO_LARGE', 'The document exceeds the size limit', 1, 1);
    }
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    if (input.byteLength > maxBytes) {
      throw new XmlError('PSSO_ERR_XML_TOO_LARGE', 'The document exceeds the size limit', 1, 1);
    }
    try {
      text = utf8.decode(input);
    } catch {
      const at = invalidUtf8At(input);
      throw new XmlError(
        'PSSO_ERR_XML_ENCODING',
        'The document is not valid UTF-8',
        at.line,
        at.column,
      );
    }
  }
  return text;
}

/**
 * Line and column of the first invalid UTF-8 sequence. A U+FFFD of the lenient decoding marks it,
 * unless the bytes there are EF BF BD: a U+FFFD the document really holds.
 */
function invalidUtf8At(input: Uint8Array): { line: number; column: number } {
  const text = new TextDecoder('utf-8').decode(input);
  let byte = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd) {
      if (input[byte] !== 0xef || input[byte + 1] !== 0xbf || input[byte + 2] !== 0xbd) {
        return lineColumn(text, i);
      }
      byte += 3;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      byte += 4; // a pair: the decoder never yields a lone surrogate
      i++;
    } else {
      byte += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
  }
  return lineColumn(text, text.length);
}

class Parser {
  private pos = 0;
  private readonly len: number;
  private readonly maxDepth: number;
  private readonly scanner: Scanner;

  constructor(
    private readonly src: string,
    limits: XmlLimits | undefined,
  ) {
    this.len = src.length;
    this.maxDepth = limits?.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth;
    this.scanner = new Scanner(src, limits?.maxAttributes ?? DEFAULT_XML_LIMITS.maxAttributes);
  }

  parseDocument(): XmlDocument {
    const bad = findInvalidCharFast(this.src);
    if (bad !== -1) this.fail('PSSO_ERR_XML_MALFORMED', 'Character not allowed in XML', bad);
    const c5 = this.src.charCodeAt(5);
    if (this.src.startsWith('<?xml') && (isSpace(c5) || c5 === 0x3f)) this.parseDeclaration();
    this.misc(false);
    if (this.pos >= this.len) this.fail('PSSO_ERR_XML_MALFORMED', 'No root element', this.pos);
    const root = this.parseContent();
    this.misc(true);
    return { source: this.src, root };
  }

  /** Comments, PIs and white space outside the root element. */
  private misc(afterRoot: boolean): void {
    const src = this.src;
    while (this.pos < this.len) {
      const c = src.charCodeAt(this.pos);
      if (isSpace(c)) {
        this.pos++;
      } else if (c !== 0x3c) {
        this.fail('PSSO_ERR_XML_MALFORMED', 'Text outside the root element', this.pos);
      } else if (src.startsWith('<!--', this.pos)) {
        this.parseComment();
      } else if (src.charCodeAt(this.pos + 1) === 0x3f) {
        this.parsePi();
      } else if (src.startsWith('<!DOCTYPE', this.pos)) {
        this.fail('PSSO_ERR_XML_DOCTYPE', 'A DOCTYPE is not allowed', this.pos);
      } else if (afterRoot) {
        this.fail('PSSO_ERR_XML_MALFORMED', 'Content after the root element', this.pos);
      } else {
        return;
      }
    }
  }

  /** The root element and everything in it, iteratively (depth never touches the JS stack). */
  private parseContent(): Element {
    const src = this.src;
    const scopes: Scope[] = [];
    let scope = ROOT_SCOPE;
    let top: Element | undefined;
    let root: Element | undefined;
    for (;;) {
      const lt = src.indexOf('<', this.pos);
      if (top !== undefined) {
        if (lt === -1) this.fail('PSSO_ERR_XML_MALFORMED', 'Unexpected end of document', this.len);
        if (lt > this.pos) this.text(top, lt);
        this.pos = lt;
      }
      const c = src.charCodeAt(lt + 1);
      if (top !== undefined && c === 0x2f /* / */) {
        this.parseEndTag(top);
        top = top.parent;
        scope = scopes.pop() as Scope;
        if (top === undefined) return root as Element;
      } else if (top !== undefined && c === 0x21 /* ! */) {
        this.markup(top, lt);
      } else if (top !== undefined && c === 0x3f /* ? */) {
        top.children.push(this.parsePi());
      } else {
        if (scopes.length >= this.maxDepth) {
          this.fail('PSSO_ERR_XML_TOO_DEEP', 'The document exceeds the depth limit', lt);
        }
        const tag = this.scanner.scanStartTag(lt);
        const r = resolveTag(src, tag, lt, scope);
        const el: Element = {
          type: 'element',
          name: tag.name,
          prefix: r.prefix,
          local: r.local,
          ns: r.ns,
          attributes: r.attributes,
          children: [],
          parent: top,
          start: lt,
          end: -1,
          namespaces: r.declared,
        };
        this.pos = tag.end;
        if (top === undefined) root = el;
        else top.children.push(el);
        if (tag.selfClosing) {
          el.end = tag.end;
          if (top === undefined) return el;
        } else {
          scopes.push(scope);
          scope = r.scope;
          top = el;
        }
      }
    }
  }

  private markup(top: Element, lt: number): void {
    const src = this.src;
    if (src.startsWith('<!--', lt)) {
      top.children.push({ type: 'comment', value: this.parseComment() });
    } else if (src.startsWith('<![CDATA[', lt)) {
      const end = src.indexOf(']]>', lt + 9);
      if (end === -1) this.fail('PSSO_ERR_XML_MALFORMED', 'Unterminated CDATA section', lt);
      const value = normalizeEol(src.slice(lt + 9, end));
      top.children.push({ type: 'text', value, cdata: true });
      this.pos = end + 3;
    } else if (src.startsWith('<!DOCTYPE', lt)) {
      this.fail('PSSO_ERR_XML_DOCTYPE', 'A DOCTYPE is not allowed', lt);
    } else {
      this.fail('PSSO_ERR_XML_MALFORMED', 'Malformed markup declaration', lt);
    }
  }

  private text(parent: Element, lt: number): void {
    parent.children.push({ type: 'text', value: this.scanner.text(this.pos, lt), cdata: false });
  }

  private parseEndTag(top: Element): void {
    const src = this.src;
    const start = this.pos;
    const name = top.name;
    let i = start + 2 + name.length;
    if (src.charCodeAt(i) !== 0x3e || !sameAt(src, start + 2, name)) {
      i = start + 2;
      while (i < this.len && !endsName(src.charCodeAt(i))) i++;
      if (i - start - 2 !== name.length || !sameAt(src, start + 2, name)) {
        this.fail('PSSO_ERR_XML_MALFORMED', 'End tag does not match the open element', start);
      }
      while (isSpace(src.charCodeAt(i))) i++;
      if (src.charCodeAt(i) !== 0x3e) this.fail('PSSO_ERR_XML_MALFORMED', "Expected '>'", i);
    }
    this.pos = i + 1;
    top.end = this.pos;
  }

  private parseComment(): string {
    const start = this.pos;
    const end = this.src.indexOf('-->', start + 4);
    if (end === -1) this.fail('PSSO_ERR_XML_MALFORMED', 'Unterminated comment', start);
    const value = this.src.slice(start + 4, end);
    const dashes = value.indexOf('--');
    if (dashes !== -1 || value.endsWith('-')) {
      const at = start + 4 + (dashes === -1 ? value.length - 1 : dashes);
      this.fail('PSSO_ERR_XML_MALFORMED', "'--' in a comment", at);
    }
    this.pos = end + 3;
    return normalizeEol(value);
  }

  private parsePi(): XmlProcessingInstruction {
    const src = this.src;
    const start = this.pos;
    let i = start + 2;
    while (i < this.len && !isSpace(src.charCodeAt(i)) && !src.startsWith('?>', i)) i++;
    const target = src.slice(start + 2, i);
    if (this.scanner.checkQName(target, start + 2) !== -1) {
      this.fail(
        'PSSO_ERR_XML_NAMESPACE',
        'A processing instruction target has no colon',
        start + 2,
      );
    }
    if (target.toLowerCase() === 'xml') {
      this.fail('PSSO_ERR_XML_MALFORMED', 'An XML declaration is only allowed at the start', start);
    }
    const end = src.indexOf('?>', i);
    if (end === -1)
      this.fail('PSSO_ERR_XML_MALFORMED', 'Unterminated processing instruction', start);
    while (i < end && isSpace(src.charCodeAt(i))) i++;
    this.pos = end + 2;
    return { type: 'pi', target, value: normalizeEol(src.slice(i, end)) };
  }

  /** `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` at offset 0. */
  private parseDeclaration(): void {
    const end = this.src.indexOf('?>');
    if (end === -1) this.fail('PSSO_ERR_XML_MALFORMED', 'Unterminated XML declaration', 0);
    const m = DECLARATION.exec(this.src.slice(5, end));
    if (m === null) this.fail('PSSO_ERR_XML_MALFORMED', 'Malformed XML declaration', 0);
    const encoding = (m[1] ?? m[2])?.toLowerCase();
    if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'us-ascii') {
      this.fail('PSSO_ERR_XML_ENCODING', 'Only UTF-8 documents are accepted', 0);
    }
    this.pos = end + 2;
  }

  private fail(code: XmlErrorCode, message: string, offset: number): never {
    return failAt(this.src, code, message, offset);
  }
}

/** XML white space (`S`): only these four characters, never the other Unicode spaces. */
const S = '[ \\t\\r\\n]';
const EQ = `${S}*=${S}*`;
const ENC_NAME = '[A-Za-z][\\w.-]*';

/** `XMLDecl` after `<?xml` and before `?>` (XML 1.0 §2.8, §2.9, §4.3.3). */
const DECLARATION = new RegExp(
  `^${S}+version${EQ}(?:"1\\.0"|'1\\.0')` +
    `(?:${S}+encoding${EQ}(?:"(${ENC_NAME})"|'(${ENC_NAME})'))?` +
    `(?:${S}+standalone${EQ}(?:"(?:yes|no)"|'(?:yes|no)'))?${S}*$`,
);

/** Whether `src` holds `name` at `at` (a loop: faster than `startsWith` with a position here). */
function sameAt(src: string, at: number, name: string): boolean {
  for (let k = 0; k < name.length; k++)
    if (src.charCodeAt(at + k) !== name.charCodeAt(k)) return false;
  return true;
}

function normalizeEol(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}
