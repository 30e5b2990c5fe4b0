/**
 * Prints a predicate AST back to format-string text that parses to the same AST.
 *
 * @module
 */
import { type Expression, type PredicateNode, RESERVED_WORDS } from './parser.js';

const IDENT = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

function printKey(key: string): string {
  if (!IDENT.test(key)) throw new TypeError('key path segment is not an identifier');
  return RESERVED_WORDS.has(key.toUpperCase()) ? `#${key}` : key;
}

function printString(s: string): string {
  let out = "'";
  for (const ch of s) {
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f')
      out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/**
 * Prints an operand expression.
 *
 * @example
 * ```ts
 * printExpression({ kind: 'keypath', path: ['a', 'in'] }); // 'a.#in'
 * ```
 */
export function printExpression(e: Expression): string {
  switch (e.kind) {
    case 'keypath':
      return e.path.length === 0 ? 'SELF' : e.path.map(printKey).join('.');
    case 'aggregate':
      return `{${e.items.map(printExpression).join(', ')}}`;
    case 'literal':
      if (e.value === null) return 'NIL';
      if (typeof e.value === 'boolean') return e.value ? 'TRUE' : 'FALSE';
      if (typeof e.value === 'number') {
        if (!Number.isFinite(e.value)) throw new TypeError('number literal must be finite');
        return String(e.value);
      }
      return printString(e.value);
  }
}

const wrap = (n: PredicateNode, when: boolean): string =>
  when ? `(${printPredicateNode(n)})` : printPredicateNode(n);

/**
 * Prints a predicate AST as format-string text; `parsePredicateNode` of the result is the same AST.
 *
 * @example
 * ```ts
 * printPredicateNode(parsePredicateNode("a == 'x' && !(b > 2)")); // "a == 'x' AND NOT b > 2"
 * ```
 */
export function printPredicateNode(n: PredicateNode): string {
  switch (n.kind) {
    case 'constant':
      return n.value ? 'TRUEPREDICATE' : 'FALSEPREDICATE';
    case 'not':
      return `NOT ${wrap(n.operand, n.operand.kind === 'and' || n.operand.kind === 'or')}`;
    case 'and':
      return n.operands.map((o) => wrap(o, o.kind === 'and' || o.kind === 'or')).join(' AND ');
    case 'or':
      return n.operands.map((o) => wrap(o, o.kind === 'or')).join(' OR ');
    case 'comparison': {
      const { caseInsensitive: c, diacriticInsensitive: d } = n.modifiers;
      const mods = c || d ? `[${c ? 'c' : ''}${d ? 'd' : ''}]` : '';
      return `${printExpression(n.left)} ${n.operator}${mods} ${printExpression(n.right)}`;
    }
  }
}
