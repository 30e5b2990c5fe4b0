/**
 * The subset of Apple's NSPredicate format language used by Platform SSO login configurations
 * (`federationPredicate`, `invalidCredentialPredicate`): parsed into an AST and interpreted, never
 * compiled to code. See `evaluate.ts` for the comparison semantics.
 *
 * @module
 */
import { evaluateNode } from './evaluate.js';
import { type PredicateNode, parsePredicateNode } from './parser.js';
import { printPredicateNode } from './print.js';

/** A parsed, immutable predicate. Create one with {@link parsePredicate}. */
export class Predicate {
  /** The AST. */
  readonly node: PredicateNode;

  constructor(node: PredicateNode) {
    this.node = node;
  }

  /**
   * Evaluates the predicate against a parsed JSON value, like `-[NSPredicate evaluateWithObject:]`.
   *
   * @throws {PredicateError} `PSSO_ERR_PREDICATE_EVALUATION` only where NSPredicate would raise
   *   (e.g. `BEGINSWITH` on a number, an invalid `MATCHES` pattern read from the object).
   * @example
   * ```ts
   * parsePredicate("account_type = 'Federated'").evaluate({ account_type: 'Federated' }); // true
   * ```
   */
  evaluate(object: unknown): boolean {
    return evaluateNode(this.node, object);
  }

  /**
   * The canonical format string, which parses back to the same predicate.
   *
   * @example
   * ```ts
   * parsePredicate('a=1 && b<>2').format; // 'a == 1 AND b != 2'
   * ```
   */
  get format(): string {
    return printPredicateNode(this.node);
  }

  toString(): string {
    return this.format;
  }
}

/**
 * Parses an NSPredicate format string (at most 4096 characters, nesting at most 64).
 *
 * @throws {PredicateError} `PSSO_ERR_PREDICATE_SYNTAX` with the 0-based `position` of the problem.
 * @example
 * ```ts
 * const p = parsePredicate("error = 'invalid_grant' AND suberror != 'device_authentication_failed'");
 * p.evaluate({ error: 'invalid_grant' }); // true
 * ```
 */
export function parsePredicate(text: string): Predicate {
  return new Predicate(parsePredicateNode(text));
}

/**
 * Parses and evaluates in one step.
 *
 * @throws {PredicateError} `PSSO_ERR_PREDICATE_SYNTAX` or `PSSO_ERR_PREDICATE_EVALUATION`.
 * @example
 * ```ts
 * evaluatePredicate("account_type ==[c] 'federated'", { account_type: 'Federated' }); // true
 * ```
 */
export function evaluatePredicate(text: string, object: unknown): boolean {
  return parsePredicate(text).evaluate(object);
}

export { PredicateError, type PredicateErrorCode } from '../../errors.js';
export { evaluateNode } from './evaluate.js';
export { MAX_KEYPATH_ARRAY_DEPTH, valueForKeyPath } from './keypath.js';
export {
  type Expression,
  MAX_PREDICATE_DEPTH,
  MAX_PREDICATE_LENGTH,
  type Modifiers,
  type Operator,
  type PredicateNode,
  parsePredicateNode,
} from './parser.js';
export { printExpression, printPredicateNode } from './print.js';
export { MAX_REGEX_PATTERN_LENGTH, MAX_REGEX_SUBJECT_LENGTH } from './text.js';
