/**
 * Line and column of an offset in a decoded document, for error messages.
 *
 * @module
 */
import { XmlError, type XmlErrorCode } from '../errors.js';

/** 1-based line and column of `offset` in `source` (CR, LF and CRLF each end a line). */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Throws the {@link XmlError} `code` located at `offset` of `source`. */
export function failAt(source: string, code: XmlErrorCode, message: string, offset: number): never {
  const at = lineColumn(source, offset);
  throw new XmlError(code, message, at.line, at.column);
}
