/**
 * Interpreter of predicate ASTs over parsed JSON. Nothing is ever compiled to code.
 *
 * Semantics, chosen to match `-[NSPredicate evaluateWithObject:]` on `NSJSONSerialization` output:
 * - A missing key path and JSON `null` are both nil. `x = nil` is true for either; `x != nil` is
 *   the negation. Ordering and string operators with a nil operand are false.
 * - Booleans are NSNumbers: `TRUE`, JSON `true` and `1` are equal; they order as 1 and 0.
 * - `=`/`!=` between a string and a number (or any two different kinds) is unequal, never an
 *   error. Arrays and objects compare deeply.
 * - `<`, `<=`, `>`, `>=` compare two numbers numerically or two strings by UTF-16 code unit; any
 *   other pair is false.
 * - Strings compare after NFC normalization (canonically equivalent strings are equal, as with
 *   Foundation's non-literal comparison); `[c]` folds case, `[d]` strips combining marks.
 * - `BEGINSWITH`, `ENDSWITH`, `LIKE`, `MATCHES` need two strings: a non-string, non-nil operand
 *   raises, as NSPredicate raises `NSInvalidArgumentException` ("Can't do a substring operation
 *   with something that isn't a string").
 * - `CONTAINS`: string ⊇ substring, or array membership (object: key membership). `a IN b` is
 *   `b CONTAINS a`; `b` may be an aggregate literal `{…}`, a key path to an array, a string or
 *   an object.
 *
 * @module
 */
import { PredicateError } from '../../errors.js';
import { valueForKeys } from './keypath.js';
import type { Expression, Modifiers, PredicateNode } from './parser.js';
import { compileMatches, fold, likeMatch, MAX_REGEX_SUBJECT_LENGTH } from './text.js';

/** Deepest nesting of arrays and objects compared by `=`. */
const MAX_EQUALITY_DEPTH = 64;

const fail = (message: string): PredicateError =>
  new PredicateError('PSSO_ERR_PREDICATE_EVALUATION', message);

const isNil = (v: unknown): v is null | undefined => v === null || v === undefined;
const isNumeric = (v: unknown): v is number | boolean =>
  typeof v === 'number' || typeof v === 'boolean';
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function equals(a: unknown, b: unknown, mods: Modifiers, depth = 0): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (isNumeric(a) && isNumeric(b)) return Number(a) === Number(b);
  if (typeof a === 'string' && typeof b === 'string') return fold(a, mods) === fold(b, mods);
  if (depth >= MAX_EQUALITY_DEPTH) throw fail('Values nested too deeply to compare');
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => equals(x, b[i], mods, depth + 1));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && equals(a[k], b[k], mods, depth + 1))
    );
  }
  return false;
}

/** Sign of `a - b`, or undefined when the pair is not ordered (mismatched kinds, nil). */
function order(a: unknown, b: unknown, mods: Modifiers): number | undefined {
  if (isNumeric(a) && isNumeric(b)) return Math.sign(Number(a) - Number(b));
  if (typeof a === 'string' && typeof b === 'string') {
    const x = fold(a, mods);
    const y = fold(b, mods);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return undefined;
}

/** Both operands as strings; undefined when either is nil; raises for any other kind. */
function strings(a: unknown, b: unknown, operator: string): [string, string] | undefined {
  if (isNil(a) || isNil(b)) return undefined;
  if (typeof a !== 'string' || typeof b !== 'string') {
    throw fail(`Can't do ${operator} with something that isn't a string`);
  }
  return [a, b];
}

/** `collection CONTAINS value` (also `value IN collection`). */
function contains(collection: unknown, value: unknown, mods: Modifiers, operator: string): boolean {
  if (isNil(collection)) return false;
  if (Array.isArray(collection)) return collection.some((x) => equals(x, value, mods));
  if (isObject(collection)) return Object.keys(collection).some((k) => equals(k, value, mods));
  const pair = strings(collection, value, operator);
  return pair !== undefined && fold(pair[0], mods).includes(fold(pair[1], mods));
}

function matches(subject: unknown, pattern: unknown, mods: Modifiers): boolean {
  const pair = strings(subject, pattern, 'MATCHES');
  if (pair === undefined) return false;
  const regex = compileMatches(pair[1], mods);
  if (typeof regex === 'string') throw fail(regex);
  if (pair[0].length > MAX_REGEX_SUBJECT_LENGTH) {
    throw fail(`MATCHES subject longer than ${MAX_REGEX_SUBJECT_LENGTH} characters`);
  }
  const folded = fold(pair[0], {
    caseInsensitive: false,
    diacriticInsensitive: mods.diacriticInsensitive,
  });
  return regex.test(folded);
}

function value(expression: Expression, object: unknown): unknown {
  switch (expression.kind) {
    case 'keypath':
      return valueForKeys(object, expression.path);
    case 'literal':
      return expression.value;
    case 'aggregate':
      return expression.items.map((item) => value(item, object) ?? null);
  }
}

function compare(node: Extract<PredicateNode, { kind: 'comparison' }>, object: unknown): boolean {
  const a = value(node.left, object);
  const b = value(node.right, object);
  const mods = node.modifiers;
  switch (node.operator) {
    case '==':
      return equals(a, b, mods);
    case '!=':
      return !equals(a, b, mods);
    case '<':
      return (order(a, b, mods) ?? 0) < 0;
    case '<=': {
      const s = order(a, b, mods);
      return s !== undefined && s <= 0;
    }
    case '>':
      return (order(a, b, mods) ?? 0) > 0;
    case '>=': {
      const s = order(a, b, mods);
      return s !== undefined && s >= 0;
    }
    case 'BEGINSWITH': {
      const p = strings(a, b, 'BEGINSWITH');
      return p !== undefined && fold(p[0], mods).startsWith(fold(p[1], mods));
    }
    case 'ENDSWITH': {
      const p = strings(a, b, 'ENDSWITH');
      return p !== undefined && fold(p[0], mods).endsWith(fold(p[1], mods));
    }
    case 'LIKE': {
      const p = strings(a, b, 'LIKE');
      return p !== undefined && likeMatch(fold(p[0], mods), fold(p[1], mods));
    }
    case 'MATCHES':
      return matches(a, b, mods);
    case 'CONTAINS':
      return contains(a, b, mods, 'CONTAINS');
    case 'IN':
      return contains(b, a, mods, 'IN');
  }
}

/**
 * Evaluates a predicate AST against a parsed JSON value.
 *
 * @throws {PredicateError} `PSSO_ERR_PREDICATE_EVALUATION` where NSPredicate would raise: a string
 *   operator given a non-string, an invalid or over-long `MATCHES` pattern read from a key path,
 *   a `MATCHES` subject over {@link MAX_REGEX_SUBJECT_LENGTH} characters, values nested too deeply.
 * @example
 * ```ts
 * evaluateNode(parsePredicateNode('a > 1'), { a: 2 }); // true
 * ```
 */
export function evaluateNode(node: PredicateNode, object: unknown): boolean {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'not':
      return !evaluateNode(node.operand, object);
    case 'and':
      return node.operands.every((n) => evaluateNode(n, object));
    case 'or':
      return node.operands.some((n) => evaluateNode(n, object));
    case 'comparison':
      return compare(node, object);
  }
}
