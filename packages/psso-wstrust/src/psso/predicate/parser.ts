/**
 * Recursive-descent parser of the NSPredicate format subset into an AST. Precedence, loosest
 * first: `OR`/`||`, `AND`/`&&`, `NOT`/`!`, then comparisons. `AND` and `OR` chains are n-ary nodes,
 * so a long chain does not make a deep tree.
 *
 * @module
 */
import { PredicateError } from '../../errors.js';
import { type Token, tokenize } from './lexer.js';
import { compileMatches } from './text.js';

/** Longest accepted format string, in UTF-16 code units. */
export const MAX_PREDICATE_LENGTH = 4096;
/** Deepest accepted nesting of parentheses, `NOT`s and aggregates. */
export const MAX_PREDICATE_DEPTH = 64;

/** A value operand: a key path (`[]` is `SELF`), a literal or an aggregate `{a, b}`. */
export type Expression =
  | { readonly kind: 'keypath'; readonly path: readonly string[] }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'aggregate'; readonly items: readonly Expression[] };

/** Comparison operators, by their canonical spelling. */
export type Operator =
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'BEGINSWITH'
  | 'ENDSWITH'
  | 'CONTAINS'
  | 'LIKE'
  | 'MATCHES'
  | 'IN';

/** `[c]`: case-insensitive; `[d]`: diacritic-insensitive. */
export interface Modifiers {
  readonly caseInsensitive: boolean;
  readonly diacriticInsensitive: boolean;
}

/** A parsed predicate. */
export type PredicateNode =
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'not'; readonly operand: PredicateNode }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly PredicateNode[] }
  | {
      readonly kind: 'comparison';
      readonly operator: Operator;
      readonly modifiers: Modifiers;
      readonly left: Expression;
      readonly right: Expression;
    };

const SYMBOL_OPERATORS: Readonly<Record<string, Operator>> = {
  '=': '==',
  '==': '==',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '=<': '<=',
  '>': '>',
  '>=': '>=',
  '=>': '>=',
};
const WORD_OPERATORS: ReadonlySet<string> = new Set([
  'BEGINSWITH',
  'ENDSWITH',
  'CONTAINS',
  'LIKE',
  'MATCHES',
  'IN',
]);
/** Words that cannot be a bare key (escape them with `#`). */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  ...WORD_OPERATORS,
  'AND',
  'OR',
  'NOT',
  'TRUE',
  'YES',
  'FALSE',
  'NO',
  'NIL',
  'NULL',
  'SELF',
  'TRUEPREDICATE',
  'FALSEPREDICATE',
  'ANY',
  'ALL',
  'SOME',
  'NONE',
  'BETWEEN',
  'FIRST',
  'LAST',
  'SIZE',
  'ANYKEY',
  'SUBQUERY',
  'FETCH',
  'CAST',
  'CASEINSENSITIVE',
  'CI',
]);
const LITERAL_WORDS: Readonly<Record<string, boolean | null>> = {
  TRUE: true,
  YES: true,
  FALSE: false,
  NO: false,
  NIL: null,
  NULL: null,
};

const syntax = (message: string, pos: number): PredicateError =>
  new PredicateError('PSSO_ERR_PREDICATE_SYNTAX', message, pos);

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.index] ?? (this.tokens.at(-1) as Token);
  }

  private take(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.index += 1;
    return t;
  }

  /** The upper-cased keyword at the cursor, or undefined. `#name` is never a keyword. */
  private keyword(): string | undefined {
    const t = this.peek();
    return t.kind === 'ident' && !t.escaped ? t.text.toUpperCase() : undefined;
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private isOp(...texts: string[]): boolean {
    const t = this.peek();
    return t.kind === 'op' && texts.includes(t.text);
  }

  private expectPunct(text: string, what: string): void {
    if (!this.isPunct(text)) throw syntax(`Expected ${what}`, this.peek().pos);
    this.take();
  }

  private enter(pos: number): void {
    this.depth += 1;
    if (this.depth > MAX_PREDICATE_DEPTH) throw syntax('Predicate nested too deeply', pos);
  }

  parseAll(): PredicateNode {
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') throw syntax('Unexpected token after the predicate', t.pos);
    return node;
  }

  private parseOr(): PredicateNode {
    const operands = [this.parseAnd()];
    while (this.keyword() === 'OR' || this.isOp('||')) {
      this.take();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? (operands[0] as PredicateNode) : { kind: 'or', operands };
  }

  private parseAnd(): PredicateNode {
    const operands = [this.parseNot()];
    while (this.keyword() === 'AND' || this.isOp('&&')) {
      this.take();
      operands.push(this.parseNot());
    }
    return operands.length === 1 ? (operands[0] as PredicateNode) : { kind: 'and', operands };
  }

  private parseNot(): PredicateNode {
    if (this.keyword() === 'NOT' || this.isOp('!')) {
      this.enter(this.take().pos);
      const operand = this.parseNot();
      this.depth -= 1;
      return { kind: 'not', operand };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): PredicateNode {
    if (this.isPunct('(')) {
      this.enter(this.take().pos);
      const inner = this.parseOr();
      this.expectPunct(')', "')'");
      this.depth -= 1;
      return inner;
    }
    const word = this.keyword();
    if (word === 'TRUEPREDICATE' || word === 'FALSEPREDICATE') {
      this.take();
      return { kind: 'constant', value: word === 'TRUEPREDICATE' };
    }
    return this.parseComparison();
  }

  private parseComparison(): PredicateNode {
    const left = this.parseExpression();
    const opToken = this.peek();
    let operator: Operator | undefined;
    if (opToken.kind === 'op') operator = SYMBOL_OPERATORS[opToken.text];
    else if (opToken.kind === 'ident' && !opToken.escaped) {
      const upper = opToken.text.toUpperCase();
      if (WORD_OPERATORS.has(upper)) operator = upper as Operator;
    }
    if (operator === undefined) throw syntax('Expected a comparison operator', opToken.pos);
    this.take();
    const modifiers = this.parseModifiers();
    const rightPos = this.peek().pos;
    const right = this.parseExpression();
    if (operator === 'MATCHES' && right.kind === 'literal' && typeof right.value === 'string') {
      const error = compileMatches(right.value, modifiers);
      if (typeof error === 'string') throw syntax(error, rightPos);
    }
    return { kind: 'comparison', operator, modifiers, left, right };
  }

  private parseModifiers(): Modifiers {
    if (!this.isPunct('[')) return { caseInsensitive: false, diacriticInsensitive: false };
    this.take();
    const t = this.peek();
    const flags = t.kind === 'ident' && !t.escaped ? t.text.toLowerCase() : '';
    if (!['c', 'd', 'cd', 'dc'].includes(flags)) {
      throw syntax('Expected an operator modifier: c, d or cd', t.pos);
    }
    this.take();
    this.expectPunct(']', "']'");
    return { caseInsensitive: flags.includes('c'), diacriticInsensitive: flags.includes('d') };
  }

  private parseExpression(): Expression {
    const t = this.peek();
    if (t.kind === 'string' || t.kind === 'number') {
      this.take();
      return { kind: 'literal', value: t.value };
    }
    if (t.kind === 'punct' && t.text === '{') return this.parseAggregate();
    if (t.kind !== 'ident') throw syntax('Expected a key path or a literal', t.pos);
    const word = t.escaped ? undefined : t.text.toUpperCase();
    if (word !== undefined && word in LITERAL_WORDS) {
      this.take();
      return { kind: 'literal', value: LITERAL_WORDS[word] ?? null };
    }
    if (word !== undefined && word !== 'SELF' && RESERVED_WORDS.has(word)) {
      throw syntax('Expected a key path or a literal', t.pos);
    }
    this.take();
    const path = word === 'SELF' ? [] : [t.text];
    while (this.isPunct('.')) {
      this.take();
      const seg = this.peek();
      if (seg.kind !== 'ident') throw syntax('Expected a key after .', seg.pos);
      this.take();
      path.push(seg.text);
    }
    return { kind: 'keypath', path };
  }

  private parseAggregate(): Expression {
    this.enter(this.take().pos);
    const items: Expression[] = [];
    if (!this.isPunct('}')) {
      items.push(this.parseExpression());
      while (this.isPunct(',')) {
        this.take();
        items.push(this.parseExpression());
      }
    }
    this.expectPunct('}', "',' or '}'");
    this.depth -= 1;
    return { kind: 'aggregate', items };
  }
}

/**
 * Parses a format string into an AST.
 *
 * @throws {PredicateError} `PSSO_ERR_PREDICATE_SYNTAX` with the 0-based position of the problem.
 * @example
 * ```ts
 * parsePredicateNode("account_type = 'Federated'").kind; // 'comparison'
 * ```
 */
export function parsePredicateNode(text: string): PredicateNode {
  if (typeof text !== 'string') throw new TypeError('predicate text must be a string');
  if (text.length > MAX_PREDICATE_LENGTH) {
    throw syntax(`Predicate longer than ${MAX_PREDICATE_LENGTH} characters`, MAX_PREDICATE_LENGTH);
  }
  return new Parser(tokenize(text)).parseAll();
}
