/**
 * The low level of the parser: names, start tags, attribute values and character data, scanned
 * with native string search wherever possible. Characters that need attention (`&`, `<`, CR, TAB,
 * LF, `]]>`) are found with one forward-moving search per character over the whole document, so
 * checking a token for them costs a comparison, not a scan.
 *
 * @module
 */
import type { XmlErrorCode } from '../errors.js';
import { endsName, isNcName, isSpace, NAME_CLASS } from './chars.js';
import { decodeRange, type EntityFailure } from './entities.js';
import { failAt } from './position.js';

/** An attribute as written, before namespace resolution. */
export interface RawAttribute {
  readonly name: string;
  /** Offset of the colon in `name`, or -1. */
  readonly colon: number;
  readonly value: string;
  /** Offset of the name in the source, for errors. */
  readonly offset: number;
}

/** A scanned start tag. */
export interface StartTag {
  readonly name: string;
  readonly colon: number;
  readonly attributes: readonly RawAttribute[];
  readonly selfClosing: boolean;
  /** Offset just past the `>`. */
  readonly end: number;
}

const NO_ATTRIBUTES: readonly RawAttribute[] = Object.freeze([]);

/** Occurrences of one needle, searched lazily; queries must move forward through the text. */
class Finder {
  private at = -1;
  private exhausted = false;
  constructor(
    private readonly src: string,
    private readonly needle: string,
  ) {}

  /** Whether the needle starts somewhere in `[from, to)`. */
  within(from: number, to: number): boolean {
    if (this.at < from) {
      if (this.exhausted) return false;
      this.at = this.src.indexOf(this.needle, from);
      if (this.at === -1) {
        this.exhausted = true;
        return false;
      }
    }
    return this.at < to;
  }
}

/** Scans tokens of one document. */
export class Scanner {
  private readonly amp: Finder;
  private readonly lt: Finder;
  private readonly cr: Finder;
  private readonly tab: Finder;
  private readonly lf: Finder;
  private readonly cdataEnd: Finder;
  /** Colon offset (in the name) of the last name {@link scanQName} read, or -1. */
  private colon = -1;

  constructor(
    readonly src: string,
    private readonly maxAttributes: number,
  ) {
    this.amp = new Finder(src, '&');
    this.lt = new Finder(src, '<');
    this.cr = new Finder(src, '\r');
    this.tab = new Finder(src, '\t');
    this.lf = new Finder(src, '\n');
    this.cdataEnd = new Finder(src, ']]>');
  }

  fail(code: XmlErrorCode, message: string, offset: number): never {
    return failAt(this.src, code, message, offset);
  }

  /** Reads a QName at `start`; returns its end offset and sets {@link colon}. */
  scanQName(start: number): number {
    const src = this.src;
    let i = start;
    let colon = -1;
    let c = src.charCodeAt(i);
    if (c < 128 && NAME_CLASS[c] === 1) {
      for (;;) {
        c = src.charCodeAt(++i);
        if (!(c < 128)) break; // non-ASCII, or the end of the text (NaN)
        const k = NAME_CLASS[c];
        if (k === 0) {
          if (colon !== i - start - 1) {
            this.colon = colon;
            return i;
          }
          break;
        }
        if (k === 3) {
          if (colon !== -1 || NAME_CLASS[src.charCodeAt(i + 1)] !== 1) break;
          colon = i - start;
        }
      }
    }
    // Slow path: non-ASCII, or a name the fast path will not vouch for.
    i = start;
    while (i < src.length && !endsName(src.charCodeAt(i))) i++;
    this.colon = this.checkQName(src.slice(start, i), start);
    return i;
  }

  /** Checks a QName; returns the offset of its colon, or -1. */
  checkQName(name: string, offset: number): number {
    const colon = name.indexOf(':');
    if (colon === -1) {
      if (!isNcName(name, 0, name.length))
        this.fail('PSSO_ERR_XML_MALFORMED', 'Invalid name', offset);
      return -1;
    }
    if (
      !isNcName(name, 0, colon) ||
      !isNcName(name, colon + 1, name.length) ||
      name.indexOf(':', colon + 1) !== -1
    ) {
      this.fail('PSSO_ERR_XML_NAMESPACE', 'Invalid qualified name', offset);
    }
    return colon;
  }

  /** Scans the start tag whose `<` is at `start`. */
  scanStartTag(start: number): StartTag {
    const src = this.src;
    let i = this.scanQName(start + 1);
    const name = src.slice(start + 1, i);
    const colon = this.colon;
    let attributes: RawAttribute[] | undefined;
    for (;;) {
      let c = src.charCodeAt(i);
      const spaced = isSpace(c);
      while (isSpace(c)) c = src.charCodeAt(++i);
      if (c === 0x3e /* > */) {
        return {
          name,
          colon,
          attributes: attributes ?? NO_ATTRIBUTES,
          selfClosing: false,
          end: i + 1,
        };
      }
      if (c === 0x2f /* / */) {
        if (src.charCodeAt(i + 1) !== 0x3e)
          this.fail('PSSO_ERR_XML_MALFORMED', "Expected '>'", i + 1);
        return {
          name,
          colon,
          attributes: attributes ?? NO_ATTRIBUTES,
          selfClosing: true,
          end: i + 2,
        };
      }
      if (i >= src.length) this.fail('PSSO_ERR_XML_MALFORMED', 'Unexpected end of document', i);
      if (!spaced)
        this.fail('PSSO_ERR_XML_MALFORMED', 'White space required before an attribute', i);
      attributes ??= [];
      i = this.scanAttribute(attributes, i);
    }
  }

  private scanAttribute(list: RawAttribute[], at: number): number {
    const src = this.src;
    let i = this.scanQName(at);
    const name = src.slice(at, i);
    const colon = this.colon;
    while (isSpace(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) !== 0x3d) this.fail('PSSO_ERR_XML_MALFORMED', "Expected '='", i);
    i++;
    while (isSpace(src.charCodeAt(i))) i++;
    const quote = src.charCodeAt(i);
    if (quote !== 0x22 && quote !== 0x27)
      this.fail('PSSO_ERR_XML_MALFORMED', 'Expected a quote', i);
    const close = src.indexOf(quote === 0x22 ? '"' : "'", i + 1);
    if (close === -1) this.fail('PSSO_ERR_XML_MALFORMED', 'Unterminated attribute value', i);
    const from = i + 1;
    if (this.lt.within(from, close)) {
      this.fail('PSSO_ERR_XML_MALFORMED', "'<' in attribute value", src.indexOf('<', from));
    }
    const value =
      this.amp.within(from, close) ||
      this.cr.within(from, close) ||
      this.lf.within(from, close) ||
      this.tab.within(from, close)
        ? this.decoded(decodeRange(src, from, close, true))
        : src.slice(from, close);
    if (list.length >= this.maxAttributes) {
      this.fail('PSSO_ERR_XML_TOO_MANY_ATTRIBUTES', 'Too many attributes on one element', at);
    }
    for (const other of list) {
      if (other.name === name) this.fail('PSSO_ERR_XML_MALFORMED', 'Duplicate attribute', at);
    }
    list.push({ name, colon, value, offset: at });
    return close + 1;
  }

  /** Character data in `[from, to)`, decoded; `]]>` refused. */
  text(from: number, to: number): string {
    if (this.cdataEnd.within(from, to)) {
      this.fail('PSSO_ERR_XML_MALFORMED', "']]>' in character data", this.src.indexOf(']]>', from));
    }
    return this.amp.within(from, to) || this.cr.within(from, to)
      ? this.decoded(decodeRange(this.src, from, to, false))
      : this.src.slice(from, to);
  }

  private decoded(result: string | EntityFailure): string {
    if (typeof result === 'string') return result;
    if (result.kind === 'undefined') {
      this.fail('PSSO_ERR_XML_UNDEFINED_ENTITY', 'Reference to an undefined entity', result.offset);
    }
    return this.fail(
      'PSSO_ERR_XML_MALFORMED',
      'Malformed character or entity reference',
      result.offset,
    );
  }
}
