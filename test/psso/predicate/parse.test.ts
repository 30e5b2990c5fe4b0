import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PredicateError } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  evaluatePredicate,
  MAX_PREDICATE_LENGTH,
  parsePredicate,
  valueForKeyPath,
} from '../../../packages/psso-wstrust/src/psso/predicate/index.ts';

const syntaxAt = (text: string, position: number) =>
  assert.throws(
    () => parsePredicate(text),
    (e: unknown) =>
      e instanceof PredicateError &&
      e.code === 'PSSO_ERR_PREDICATE_SYNTAX' &&
      e.position === position,
    `${JSON.stringify(text.slice(0, 60))} at ${position}`,
  );
const evalError = (text: string, object: unknown) =>
  assert.throws(
    () => evaluatePredicate(text, object),
    (e: unknown) => e instanceof PredicateError && e.code === 'PSSO_ERR_PREDICATE_EVALUATION',
  );

describe('syntax errors name the position', () => {
  test('unterminated strings and bad escapes', () => {
    syntaxAt("a = 'abc", 4);
    syntaxAt('a = "abc\\"', 4);
    syntaxAt("a = 'x\\", 4);
    syntaxAt("a = 'x\\q'", 6);
    syntaxAt("a = '\\u12'", 5);
  });

  test('unknown operators and characters', () => {
    syntaxAt('a ~ 1', 2);
    syntaxAt('a LIKES 1', 2);
    syntaxAt('a & b', 2);
    syntaxAt('a', 1);
    syntaxAt('a = 1 b = 2', 6);
    syntaxAt('a =[x] 1', 4);
    syntaxAt('a =[c 1', 6);
    syntaxAt('a = 12abc', 4);
  });

  test('dangling operators', () => {
    syntaxAt('a = 1 AND', 9);
    syntaxAt('a = 1 OR ', 9);
    syntaxAt('AND a = 1', 0);
    syntaxAt('NOT', 3);
    syntaxAt('a =', 3);
    syntaxAt('', 0);
  });

  test('unbalanced parentheses and braces', () => {
    syntaxAt('(a = 1', 6);
    syntaxAt('((a = 1)', 8);
    syntaxAt('a = 1)', 5);
    syntaxAt('()', 1);
    syntaxAt('a IN {1, 2', 10);
    syntaxAt('a IN {1,}', 8);
  });

  test('trailing garbage', () => {
    syntaxAt("a = 'x' 'y'", 8);
    syntaxAt('TRUEPREDICATE FALSEPREDICATE', 14);
  });

  test('reserved words need #', () => {
    syntaxAt('in = 1', 0);
    syntaxAt('a = ANY', 4);
    assert.equal(evaluatePredicate('#in = 1', { in: 1 }), true);
  });

  test('MATCHES literal patterns are checked at parse time', () => {
    syntaxAt("a MATCHES '('", 10);
    syntaxAt("a MATCHES '[z-a]'", 10);
    syntaxAt("a MATCHES 'a*+'", 10); // ICU possessive: not JavaScript
    syntaxAt("a MATCHES '(a+)+b'", 10);
    syntaxAt("a MATCHES '(a|a)*'", 10);
    syntaxAt("a MATCHES '(x*){2,}'", 10);
    syntaxAt("a MATCHES '(a)\\\\1'", 10);
    syntaxAt(`a MATCHES '${'a'.repeat(257)}'`, 10);
    parsePredicate("a MATCHES '(ab)+|(cd)?x*'");
    parsePredicate("a MATCHES '(?:a|b)?c'");
  });

  test('errors are PredicateErrors carrying the position in the message', () => {
    try {
      parsePredicate('a ?? 1');
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof PredicateError);
      assert.match(e.message, /position 2/);
    }
  });

  test('non-string text is a TypeError', () => {
    assert.throws(() => parsePredicate(1 as unknown as string), TypeError);
  });
});

describe('hostile inputs', () => {
  test('deep nesting is an error, not a stack overflow', () => {
    const parens = `${'('.repeat(2000)}a = 1${')'.repeat(2000)}`;
    syntaxAt(parens, 64);
    syntaxAt(`${'NOT '.repeat(1000)}a = 1`, 256);
    syntaxAt(`${'!'.repeat(1000)}a = 1`, 64);
    syntaxAt(`a IN ${'{'.repeat(1000)}`, 5 + 64);
    assert.equal(evaluatePredicate(`${'('.repeat(64)}a = 1${')'.repeat(64)}`, { a: 1 }), true);
  });

  test('long chains do not recurse', () => {
    const text = Array.from({ length: 400 }, () => 'a = 1')
      .join(' AND ')
      .slice(0, 4096);
    assert.equal(evaluatePredicate(text, { a: 1 }), true);
  });

  test('huge input is refused up front', () => {
    syntaxAt(`a = '${'x'.repeat(MAX_PREDICATE_LENGTH)}'`, MAX_PREDICATE_LENGTH);
    syntaxAt('x'.repeat(10_000_000), MAX_PREDICATE_LENGTH);
  });

  test('regex bombs are bounded', () => {
    const start = performance.now();
    // Risky pattern read from the object: refused at evaluation.
    evalError('s MATCHES p', { s: `${'a'.repeat(40)}b`, p: '(a+)+$' });
    evalError('s MATCHES p', { s: 'a', p: '(' });
    evalError('s MATCHES p', { s: 'a', p: 'a'.repeat(300) });
    // Over-long subject.
    evalError("s MATCHES 'a*'", { s: 'a'.repeat(5000) });
    // LIKE with many stars is polynomial, not exponential.
    assert.equal(
      evaluatePredicate(`s LIKE '${'*a'.repeat(200)}*b'`, { s: 'a'.repeat(4000) }),
      false,
    );
    assert.equal(evaluatePredicate("s MATCHES 'a*b'", { s: 'a'.repeat(4096) }), false);
    assert.ok(performance.now() - start < 2000);
  });

  test('deeply nested JSON compared or mapped raises cleanly', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i += 1) deep = [deep];
    evalError('a = b', { a: deep, b: deep });
    evalError('a.x = 1', { a: deep });
  });
});

describe('valueForKeyPath', () => {
  const preauth = {
    account_type: 'Federated',
    federation_metadata_url: 'https://sts.example.com/adfs/services/trust/mex',
    nested: { mex: { url: 'https://x' } },
    list: [{ v: 1 }, { v: 2 }],
  };
  test('reads top-level and dotted paths', () => {
    assert.equal(
      valueForKeyPath(preauth, 'federation_metadata_url'),
      preauth.federation_metadata_url,
    );
    assert.equal(valueForKeyPath(preauth, 'nested.mex.url'), 'https://x');
    assert.equal(valueForKeyPath({ Nonce: 'abc' }, 'Nonce'), 'abc');
    assert.deepEqual(valueForKeyPath(preauth, 'list.v'), [1, 2]);
    assert.equal(valueForKeyPath(preauth, ''), preauth);
  });

  test('missing keys and non-objects yield undefined', () => {
    assert.equal(valueForKeyPath(preauth, 'nope'), undefined);
    assert.equal(valueForKeyPath(preauth, 'nested.nope.url'), undefined);
    assert.equal(valueForKeyPath(preauth, 'account_type.length'), undefined);
    assert.equal(valueForKeyPath(null, 'a'), undefined);
    assert.equal(valueForKeyPath({ a: null }, 'a.b'), undefined);
    assert.equal(valueForKeyPath({}, 'toString'), undefined);
    assert.equal(valueForKeyPath({}, '__proto__'), undefined);
  });

  test('a non-string path is a TypeError', () => {
    assert.throws(() => valueForKeyPath({}, 1 as unknown as string), TypeError);
  });
});

describe('format', () => {
  test('prints a canonical form that re-parses', () => {
    const p = parsePredicate("a=1 && !(b<>2 || c ==[cd] 'x\\'y') or #in IN {1,'a', nil, TRUE}");
    assert.equal(
      p.format,
      "a == 1 AND NOT (b != 2 OR c ==[cd] 'x\\'y') OR #in IN {1, 'a', NIL, TRUE}",
    );
    assert.equal(parsePredicate(p.format).format, p.format);
    assert.equal(String(parsePredicate('self = 1')), 'SELF == 1');
  });
});
