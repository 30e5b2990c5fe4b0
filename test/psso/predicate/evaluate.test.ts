import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PredicateError } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  evaluatePredicate,
  parsePredicate,
} from '../../../packages/psso-wstrust/src/psso/predicate/index.ts';

const yes = (text: string, object: unknown) =>
  assert.equal(evaluatePredicate(text, object), true, text);
const no = (text: string, object: unknown) =>
  assert.equal(evaluatePredicate(text, object), false, text);
const raises = (text: string, object: unknown) =>
  assert.throws(
    () => evaluatePredicate(text, object),
    (e: unknown) => e instanceof PredicateError && e.code === 'PSSO_ERR_PREDICATE_EVALUATION',
    text,
  );

describe('Entra examples', () => {
  test('federationPredicate', () => {
    const p = parsePredicate("account_type = 'Federated'");
    assert.equal(p.evaluate({ account_type: 'Federated', ver: '1.0' }), true);
    assert.equal(p.evaluate({ account_type: 'federated' }), false); // case-sensitive (MSAL mock)
    assert.equal(p.evaluate({ account_type: 'Managed' }), false);
    assert.equal(p.evaluate({}), false);
    assert.equal(p.evaluate(null), false);
    assert.equal(p.evaluate('Federated'), false);
  });

  test('invalidCredentialPredicate', () => {
    const p = parsePredicate(
      "error = 'invalid_grant' AND suberror != 'device_authentication_failed'",
    );
    assert.equal(p.evaluate({ error: 'invalid_grant' }), true); // authentik: no suberror
    assert.equal(p.evaluate({ error: 'invalid_grant', suberror: 'bad_token' }), true);
    assert.equal(
      p.evaluate({ error: 'invalid_grant', suberror: 'device_authentication_failed' }),
      false,
    );
    assert.equal(p.evaluate({ error: 'invalid_request' }), false);
  });
});

describe('comparison operators', () => {
  test('every spelling of equality and ordering', () => {
    const o = { n: 2 };
    for (const op of ['=', '==']) yes(`n ${op} 2`, o);
    for (const op of ['!=', '<>']) yes(`n ${op} 3`, o);
    for (const op of ['<=', '=<', '>=', '=>']) yes(`n ${op} 2`, o);
    yes('n < 3', o);
    no('n < 2', o);
    yes('n > 1', o);
    no('n > 2', o);
    no('n <= 1', o);
    no('n >= 3', o);
    yes('2 = n', o);
  });

  test('numbers, booleans and nil', () => {
    yes('n = 2.0', { n: 2 });
    yes('n = -1.5e2', { n: -150 });
    yes('flag = TRUE', { flag: true });
    yes('flag = YES', { flag: true });
    yes('flag = 1', { flag: true }); // NSNumber booleans
    yes('flag == NO', { flag: false });
    yes('missing = nil', {});
    yes('missing == NULL', {});
    yes('x = nil', { x: null }); // NSNull is nil
    no('x != nil', { x: null });
    yes('x != nil', { x: 0 });
    no('missing = 0', {});
    no('missing < 1', {});
    no('missing >= 1', {});
  });

  test('mismatched kinds: unequal, unordered', () => {
    no("n = '2'", { n: 2 });
    yes("n != '2'", { n: 2 });
    no("n < '3'", { n: 2 });
    no("n >= '1'", { n: 2 });
    no('s > 1', { s: 'a' });
  });

  test('strings order by code unit, modifiers apply', () => {
    yes("s < 'b'", { s: 'a' });
    no("s < 'B'", { s: 'a' });
    yes("s <[c] 'B'", { s: 'a' });
    yes("s >= 'abc'", { s: 'abd' });
  });

  test('deep equality of arrays and objects', () => {
    yes('a = b', { a: [1, { x: 'y' }], b: [1, { x: 'y' }] });
    no('a = b', { a: [1, 2], b: [2, 1] });
    no('a = b', { a: { x: 1 }, b: { x: 1, y: 2 } });
    yes('a = {1, 2}', { a: [1, 2] });
  });
});

describe('string operators', () => {
  const o = { s: 'Hello World', e: 'Éclair', n: 5 };
  test('BEGINSWITH, ENDSWITH, CONTAINS', () => {
    yes("s BEGINSWITH 'Hello'", o);
    no("s BEGINSWITH 'hello'", o);
    yes("s beginswith[c] 'hello'", o);
    yes("s ENDSWITH 'World'", o);
    yes("s CONTAINS 'o W'", o);
    no("s CONTAINS 'xyz'", o);
    no("missing CONTAINS 'a'", o);
    no('s CONTAINS nil', o);
  });

  test('LIKE wildcards', () => {
    yes("s LIKE 'H*o W?rld'", o);
    yes("s LIKE '*'", o);
    no("s LIKE 'Hello'", o);
    yes("s LIKE[c] 'hello*'", o);
    yes("s LIKE 'a\\\\*b'", { s: 'a*b' });
    no("s LIKE 'a\\\\*b'", { s: 'axb' });
    yes("s LIKE '?'", { s: '😀' });
  });

  test('MATCHES is anchored, unicode and modifiable', () => {
    yes("s MATCHES 'H.*d'", o);
    no("s MATCHES 'Hello'", o);
    no("s MATCHES 'a|Hello World|b' AND s MATCHES 'x'", o);
    yes("s MATCHES 'a|Hello World|b'", o);
    yes("s MATCHES[c] 'hello world'", o);
    yes("s MATCHES '\\\\p{Lu}\\\\w+ \\\\w+'", o);
    yes("e MATCHES[d] 'Eclair'", o);
    yes("e MATCHES[cd] 'eclair'", o);
    no("e MATCHES 'Eclair'", o);
  });

  test('[c], [d], [cd] modifiers', () => {
    no("e = 'eclair'", o);
    no("e =[c] 'eclair'", o);
    no("e =[d] 'eclair'", o);
    yes("e =[cd] 'eclair'", o);
    yes("e ==[dc] 'ECLAIR'", o);
    yes("e =[d] 'Eclair'", o);
    yes("e CONTAINS[cd] 'CLA'", o);
    yes("s =[c] 'HELLO WORLD'", o);
    yes("x =[c] 'STRASSE'", { x: 'straße' });
  });

  test('canonically equivalent strings are equal', () => {
    yes('a = b', { a: 'e\u0301', b: '\u00e9' });
  });

  test('non-string operands raise, as NSPredicate does', () => {
    raises("n BEGINSWITH '5'", o);
    raises("n ENDSWITH '5'", o);
    raises("n LIKE '5'", o);
    raises("n MATCHES '5'", o);
    raises('s CONTAINS 5', o);
    raises('s BEGINSWITH n', o);
  });
});

describe('IN and CONTAINS on collections', () => {
  test('aggregate literal', () => {
    yes("t IN {'a', 'b'}", { t: 'b' });
    no("t IN {'a', 'b'}", { t: 'c' });
    yes("t IN[c] {'a', 'B'}", { t: 'b' });
    no('t IN {}', { t: 1 });
    yes('t IN {1, nil}', {});
    yes('t IN {other, 3}', { t: 2, other: 2 });
  });

  test('key path to an array, string or object', () => {
    yes("'admin' IN roles", { roles: ['user', 'admin'] });
    no("'root' IN roles", { roles: ['user', 'admin'] });
    yes("roles CONTAINS 'user'", { roles: ['user', 'admin'] });
    yes("'ell' IN s", { s: 'Hello' }); // substring
    yes("'ELL' IN[c] s", { s: 'Hello' });
    no("'x' IN s", { s: 'Hello' });
    yes("'k' IN o", { o: { k: 1 } }); // keys
    no("'x' IN missing", {});
    raises("'x' IN n", { n: 1 });
    raises('1 IN s', { s: 'Hello' });
  });
});

describe('logic, precedence and parentheses', () => {
  const t = 'TRUEPREDICATE';
  const f = 'FALSEPREDICATE';
  test('constants and operators', () => {
    yes(t, {});
    no(f, {});
    yes(`${t} AND ${t}`, {});
    no(`${t} && ${f}`, {});
    yes(`${f} OR ${t}`, {});
    yes(`${f} || ${t}`, {});
    yes(`NOT ${f}`, {});
    yes(`!${f}`, {});
    yes(`not not ${t}`, {});
  });

  test('NOT > AND > OR', () => {
    yes(`${t} OR ${t} AND ${f}`, {}); // t OR (t AND f)
    no(`(${t} OR ${t}) AND ${f}`, {});
    no(`NOT ${t} AND ${f}`, {});
    yes(`NOT (${t} AND ${f})`, {});
    yes(`NOT ${f} OR ${f}`, {});
    no(`NOT (${f} OR ${t})`, {});
    yes(`((((${t}))))`, {});
    yes('a = 1 AND (b = 2 OR c = 3) AND NOT d = 4', { a: 1, c: 3, d: 5 });
  });

  test('AND short-circuits before a raising operand', () => {
    no("FALSEPREDICATE AND n BEGINSWITH 'x'", { n: 1 });
    yes("TRUEPREDICATE OR n BEGINSWITH 'x'", { n: 1 });
  });
});

describe('key paths', () => {
  const o = { a: { b: { c: 'deep' } }, list: [{ id: 1 }, { id: 2 }, {}], in: 'kw', s: 'str' };
  test('nested, missing, SELF and escaped keywords', () => {
    yes("a.b.c = 'deep'", o);
    yes('a.b.x = nil', o);
    yes('a.x.y = nil', o);
    yes('s.length = nil', o); // key on a string: nil (Foundation would raise)
    yes('list.id = {1, 2, nil}', o);
    yes('2 IN list.id', o);
    yes("#in = 'kw'", o);
    yes("SELF = 'x'", 'x');
    yes("SELF IN {'x', 'y'}", 'y');
    yes("SELF.a.b.c = 'deep'", o);
    yes('constructor = nil', {}); // only own properties
    yes('__proto__ = nil', {});
  });
});

describe('literals', () => {
  test('strings with escapes and both quotes', () => {
    yes('s = "it\'s"', { s: "it's" });
    yes('s = \'say \\"hi\\"\'', { s: 'say "hi"' });
    yes("s = 'a\\nb\\t\\u00e9\\x41\\\\'", { s: 'a\nb\té' + 'A\\' });
  });

  test('numbers', () => {
    for (const [text, n] of [
      ['0', 0],
      ['-7', -7],
      ['3.25', 3.25],
      ['1e3', 1000],
      ['2.5E-1', 0.25],
      ['.5', 0.5],
      ['-.5', -0.5],
    ] as const) {
      yes(`n = ${text}`, { n });
    }
  });

  test('keywords are case-insensitive', () => {
    yes("a = true AND b = No AND c = nil and d Like[C] 'X' or FalsePredicate", {
      a: true,
      b: false,
      d: 'x',
    });
  });
});
