import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { PredicateError } from '../../../packages/psso-wstrust/src/errors.ts';
import { evaluateNode } from '../../../packages/psso-wstrust/src/psso/predicate/evaluate.ts';
import {
  type Expression,
  type Operator,
  type PredicateNode,
  parsePredicate,
  printPredicateNode,
} from '../../../packages/psso-wstrust/src/psso/predicate/index.ts';

const KEYS = ['a', 'b', 'c', 'in', 'Name', 'é'] as const;
const STRINGS = ['', 'x', 'X', 'é', 'e\u0301', 'abc', 'ABC', 'a*c', "it's", 'b\\n'] as const;

const key = fc.constantFrom(...KEYS);
const shortString = fc.oneof(fc.constantFrom(...STRINGS), fc.string({ maxLength: 6 }));
const number = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
);
const scalar = fc.oneof(fc.constant(null), fc.boolean(), number, shortString);

const json = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const object = fc.dictionary(key, json, { maxKeys: 6 });

const literal: fc.Arbitrary<Expression> = scalar.map((value) => ({ kind: 'literal', value }));
const keypath: fc.Arbitrary<Expression> = fc
  .array(key, { maxLength: 2 })
  .map((path) => ({ kind: 'keypath', path }));
const expression = fc.letrec<{ e: Expression }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    keypath,
    fc.array(tie('e'), { maxLength: 3 }).map((items) => ({ kind: 'aggregate', items }) as const),
  ),
})).e;
const OPERATORS: readonly Operator[] = [
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'BEGINSWITH',
  'ENDSWITH',
  'CONTAINS',
  'LIKE',
  'IN',
];
const modifiers = fc.record({ caseInsensitive: fc.boolean(), diacriticInsensitive: fc.boolean() });
const comparison: fc.Arbitrary<PredicateNode> = fc.oneof(
  fc.record({
    kind: fc.constant('comparison' as const),
    operator: fc.constantFrom(...OPERATORS),
    modifiers,
    left: expression,
    right: expression,
  }),
  fc.record({
    kind: fc.constant('comparison' as const),
    operator: fc.constant('MATCHES' as const),
    modifiers,
    left: keypath,
    right: fc
      .constantFrom('.*', 'a|b', '[a-c]+', 'é.?', '(?:ab)+', '\\d*')
      .map((value) => ({ kind: 'literal', value }) as const),
  }),
);
const predicate = fc.letrec<{ p: PredicateNode }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.boolean().map((value) => ({ kind: 'constant', value }) as const),
    tie('p').map((operand) => ({ kind: 'not', operand }) as const),
    fc
      .tuple(
        fc.constantFrom('and' as const, 'or' as const),
        fc.array(tie('p'), { minLength: 2, maxLength: 3 }),
      )
      .map(([kind, operands]) => ({ kind, operands })),
  ),
})).p;

/** A boolean, or the code of the PredicateError thrown; any other exception propagates. */
function outcome(run: () => boolean): boolean | string {
  try {
    return run();
  } catch (e) {
    if (e instanceof PredicateError) return e.code;
    throw e;
  }
}

const FRAGMENTS = [
  'a',
  'b.c',
  ' ',
  '=',
  '==',
  '!=',
  '<>',
  '<',
  '<=',
  '=<',
  '>',
  '>=',
  '=>',
  'AND',
  'OR',
  'NOT',
  '&&',
  '||',
  '!',
  '(',
  ')',
  '{',
  '}',
  ',',
  '[c]',
  '[cd]',
  '[',
  ']',
  "'x'",
  '"y"',
  "'",
  '\\',
  '1',
  '-2.5e3',
  '.',
  'IN',
  'CONTAINS',
  'BEGINSWITH',
  'ENDSWITH',
  'LIKE',
  'MATCHES',
  "'(a+)+'",
  "'*'",
  'TRUE',
  'NIL',
  'SELF',
  'TRUEPREDICATE',
  'FALSEPREDICATE',
  '#in',
  'ANY',
  '#',
];

describe('property tests', () => {
  test('arbitrary text yields a Predicate or a PredicateError, never another exception', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }).map((parts) => parts.join(' ')),
      fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, object, (t, o) => {
        let p: ReturnType<typeof parsePredicate>;
        try {
          p = parsePredicate(t);
        } catch (e) {
          assert.ok(e instanceof PredicateError, String(e));
          assert.equal(e.code, 'PSSO_ERR_PREDICATE_SYNTAX');
          assert.ok(Number.isInteger(e.position));
          assert.ok((e.position as number) >= 0 && (e.position as number) <= t.length);
          return;
        }
        const r = outcome(() => p.evaluate(o));
        assert.ok(typeof r === 'boolean' || r === 'PSSO_ERR_PREDICATE_EVALUATION');
        assert.equal(parsePredicate(p.format).format, p.format);
      }),
      { numRuns: 3000 },
    );
  });

  test('printed ASTs re-parse and evaluate identically on random JSON', () => {
    fc.assert(
      fc.property(predicate, fc.array(object, { minLength: 1, maxLength: 4 }), (node, objects) => {
        const text = printPredicateNode(node);
        const reparsed = parsePredicate(text);
        assert.equal(reparsed.format, text);
        for (const o of objects) {
          assert.deepEqual(
            outcome(() => reparsed.evaluate(o)),
            outcome(() => evaluateNode(node, o)),
          );
        }
      }),
      { numRuns: 1500 },
    );
  });

  test('NOT negates and the comparisons are consistent', () => {
    fc.assert(
      fc.property(comparison, object, (node, o) => {
        const r = outcome(() => evaluateNode(node, o));
        const n = outcome(() => evaluateNode({ kind: 'not', operand: node }, o));
        if (typeof r === 'boolean') assert.equal(n, !r);
        else assert.equal(n, r);
        if (node.kind === 'comparison' && node.operator === '==') {
          const ne = outcome(() => evaluateNode({ ...node, operator: '!=' }, o));
          assert.equal(ne, typeof r === 'boolean' ? !r : r);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
