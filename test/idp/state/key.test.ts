import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { lockoutKey, normalizeUsername, replayKey } from '../../../packages/idp/src/state/key.ts';

describe('replayKey', () => {
  test('is a SHA-256 digest in base64url, stable, never the value in clear', () => {
    const key = replayKey('nonce', 'alice@example.com', 'c2VjcmV0LW5vbmNl');
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(replayKey('nonce', 'alice@example.com', 'c2VjcmV0LW5vbmNl'), key);
    assert.ok(!key.includes('c2VjcmV0'));
    // Not a bare hash of the concatenation (domain-separated, length-prefixed).
    const naive = createHash('sha256')
      .update('noncealice@example.comc2VjcmV0LW5vbmNl')
      .digest('base64url');
    assert.notEqual(key, naive);
  });

  test('length-prefixed: moving a boundary changes the key', () => {
    assert.notEqual(replayKey('nonce', 'a', 'bc'), replayKey('nonce', 'ab', 'c'));
    assert.notEqual(replayKey('nonce', '', 'abc'), replayKey('nonce', 'abc', ''));
    assert.notEqual(replayKey('nonce', 'a\u0000', 'b'), replayKey('nonce', 'a', '\u0000b'));
    assert.notEqual(replayKey('nonce', 'x', 'v'), replayKey('assertion-id', 'x', 'v'));
  });

  test('a lone surrogate is not confused with U+FFFD (which UTF-8 would substitute)', () => {
    assert.notEqual(replayKey('nonce', '', '\uD800'), replayKey('nonce', '', '\uFFFD'));
    assert.notEqual(replayKey('nonce', '', '\uD800'), replayKey('nonce', '', '\uDC00'));
  });

  test('refuses non-strings (caller misuse)', () => {
    assert.throws(() => replayKey('nonce', 'x', undefined as unknown as string), TypeError);
  });

  test('property: injective on random triples (boundaries, small alphabet, any code unit)', () => {
    const unit = fc.constantFrom(
      'a',
      'b',
      '\u0000',
      '\u0001',
      'é',
      '\uD800',
      '\uDC00',
      '\uFFFD',
      '😀',
    );
    const text = fc.string({ unit, maxLength: 6 });
    const triple = fc.tuple(text, text, text);
    fc.assert(
      fc.property(triple, triple, (x, y) => {
        const same = x[0] === y[0] && x[1] === y[1] && x[2] === y[2];
        assert.equal(replayKey(...x) === replayKey(...y), same);
      }),
      { numRuns: 3000 },
    );
    // Every way of splitting one string into three fields gives a different key.
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 8 }), (s) => {
        const keys = new Set<string>();
        for (let i = 0; i <= s.length; i++) {
          for (let j = i; j <= s.length; j++)
            keys.add(replayKey(s.slice(0, i), s.slice(i, j), s.slice(j)));
        }
        const n = s.length + 1;
        assert.equal(keys.size, (n * (n + 1)) / 2);
      }),
      { numRuns: 300 },
    );
    // Distinct random triples over the full code-unit range never collide.
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.string({ unit: 'binary' }), fc.string(), fc.string({ unit: 'binary' })),
          {
            selector: (t) => JSON.stringify(t),
            minLength: 2,
            maxLength: 50,
          },
        ),
        (triples) => {
          const keys = new Set(triples.map((t) => replayKey(...t)));
          assert.equal(keys.size, triples.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('lockoutKey', () => {
  test('normalizes case (and NFC) so one account has one counter', () => {
    assert.equal(lockoutKey('Alice@Example.COM'), lockoutKey('alice@example.com'));
    assert.equal(lockoutKey('Ame\u0301lie@x'), lockoutKey('amélie@x'));
    assert.notEqual(lockoutKey('alice@example.com'), lockoutKey('bob@example.com'));
    assert.equal(normalizeUsername('ALICE'), 'alice');
    assert.ok(!lockoutKey('alice@example.com').includes('alice'));
  });

  test('does not collide with a replay key of the same text', () => {
    assert.notEqual(lockoutKey('x'), replayKey('nonce', '', 'x'));
  });
});
