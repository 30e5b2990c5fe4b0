/**
 * Tokenizer of the NSPredicate format subset. Positions are 0-based UTF-16 offsets into the text.
 *
 * @module
 */
import { PredicateError } from '../../errors.js';

/** Punctuation tokens. */
export type Punct = '(' | ')' | '{' | '}' | ',' | '[' | ']' | '.';

/** Operator tokens (symbolic spellings only; word operators are identifiers). */
export type SymbolOp =
  | '='
  | '=='
  | '!='
  | '<>'
  | '<'
  | '<='
  | '=<'
  | '>'
  | '>='
  | '=>'
  | '&&'
  | '||'
  | '!';

/** One token. `ident.escaped` is true for `#name`, which is never read as a keyword. */
export type Token =
  | {
      readonly kind: 'ident';
      readonly text: string;
      readonly escaped: boolean;
      readonly pos: number;
    }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly value: number; readonly pos: number }
  | { readonly kind: 'punct'; readonly text: Punct; readonly pos: number }
  | { readonly kind: 'op'; readonly text: SymbolOp; readonly pos: number }
  | { readonly kind: 'eof'; readonly pos: number };

const PUNCT = '(){},[].';
/** Longest first, so `<=` wins over `<`. */
const OPS: readonly SymbolOp[] = [
  '==',
  '!=',
  '<>',
  '<=',
  '=<',
  '>=',
  '=>',
  '&&',
  '||',
  '=',
  '<',
  '>',
  '!',
];
const IDENT_START = /[\p{L}_$]/u;
const IDENT_PART = /[\p{L}\p{N}_$]/u;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

const syntax = (message: string, pos: number): PredicateError =>
  new PredicateError('PSSO_ERR_PREDICATE_SYNTAX', message, pos);

/** Reads a quoted string starting at `start` (the quote). Returns the value and the next offset. */
function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let out = '';
  let i = start + 1;
  for (;;) {
    const ch = text[i];
    if (ch === undefined) throw syntax('Unterminated string literal', start);
    if (ch === quote) return { value: out, end: i + 1 };
    if (ch !== '\\') {
      out += ch;
      i += 1;
      continue;
    }
    const esc = text[i + 1];
    if (esc === undefined) throw syntax('Unterminated string literal', start);
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    const width = esc === 'u' ? 4 : esc === 'x' ? 2 : 0;
    const hex = text.slice(i + 2, i + 2 + width);
    if (width === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) {
      throw syntax('Invalid escape sequence in string literal', i);
    }
    out += String.fromCharCode(Number.parseInt(hex, 16));
    i += 2 + width;
  }
}

/**
 * Splits a predicate format string into tokens, ending with an `eof` token.
 *
 * @throws {PredicateError} `PSSO_ERR_PREDICATE_SYNTAX` on an unexpected character, an unterminated
 *   string or an invalid escape, with the offending position.
 * @example
 * ```ts
 * tokenize("a = 'x'").map((t) => t.kind); // ['ident', 'op', 'string', 'eof']
 * ```
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/u.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, pos: i });
      i = end;
      continue;
    }
    const next = text[i + 1] ?? '';
    const startsNumber =
      /\d/.test(ch) ||
      (ch === '-' && /[\d.]/.test(next)) ||
      (ch === '.' && /\d/.test(next) && tokens.at(-1)?.kind !== 'ident');
    if (startsNumber) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) throw syntax('Invalid number literal', i);
      const after = text[i + m[0].length];
      if (after !== undefined && IDENT_PART.test(after)) throw syntax('Invalid number literal', i);
      tokens.push({ kind: 'number', value: Number(m[0]), pos: i });
      i += m[0].length;
      continue;
    }
    if (ch === '#' || IDENT_START.test(ch)) {
      const escaped = ch === '#';
      let j = escaped ? i + 1 : i;
      if (escaped && !IDENT_START.test(text[j] ?? '')) throw syntax('Expected a name after #', i);
      while (j < text.length && IDENT_PART.test(text[j] as string)) j += 1;
      tokens.push({ kind: 'ident', text: text.slice(escaped ? i + 1 : i, j), escaped, pos: i });
      i = j;
      continue;
    }
    if (PUNCT.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch as Punct, pos: i });
      i += 1;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op === undefined) throw syntax(`Unexpected character`, i);
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', pos: text.length });
  return tokens;
}
