import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jsonLogger, MAX_LOG_LINE } from '../../packages/idp/src/log.ts';
import { PEER_TEXT_MAX, peerText } from '../../packages/idp/src/peer-text.ts';

describe('peer text in logs', () => {
  test('log flood: 60 KB of peer text is capped, and the cut is marked with its size', () => {
    const out = peerText('x'.repeat(60_000));
    assert.equal(out, `${'x'.repeat(PEER_TEXT_MAX)}…[+${60_000 - PEER_TEXT_MAX}]`);
  });
  test('terminal injection: controls, C1 CSI, bidi overrides, zero-width and separators are escaped', () => {
    assert.equal(
      peerText('a\u001b[31mb\u009b2Jc\u202ed\u200be\u2028f\u0000g\u007f'),
      'a\\u{1b}[31mb\\u{9b}2Jc\\u{202e}d\\u{200b}e\\u{2028}f\\u{0}g\\u{7f}',
    );
  });
  test('a backslash is doubled, so an escape in the output is always the logger’s', () => {
    assert.equal(peerText('\\u{1b}'), '\\\\u{1b}');
  });
  test('a lone surrogate is escaped; a pair is never cut in half', () => {
    assert.equal(peerText('a\ud800b'), 'a\\u{d800}b');
    assert.equal(peerText(`${'x'.repeat(3)}😀`, 4), 'xxx…[+2]');
  });
  test('printable text, non-ASCII included, is kept as it is', () => {
    assert.equal(peerText('alice@fédéré.example 日本'), 'alice@fédéré.example 日本');
  });
  test('non-strings are converted first', () => {
    assert.equal(peerText(42), '42');
    assert.equal(peerText(undefined), 'undefined');
  });
});

describe('the logger caps every line (last defence)', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, log: jsonLogger((l) => lines.push(l), 'debug') };
  };
  test('a field that was not capped by its caller still gives a bounded, marked line', () => {
    const { lines, log } = capture();
    log.log('info', 'sts.refused', {
      reason: 'x',
      detail: 'y'.repeat(100_000),
      nested: { a: 'z'.repeat(9000) },
    });
    assert.equal(lines.length, 1);
    const line = lines[0] as string;
    assert.ok(line.length <= MAX_LOG_LINE + 1, `line of ${line.length}`);
    const o = JSON.parse(line) as Record<string, unknown>;
    assert.equal(o.truncated, true);
    assert.equal(o.event, 'sts.refused');
    assert.equal(o.reason, 'x');
    assert.match(String(o.detail), /^y{256}…\[\+99744\]$/);
  });
  test('too many fields: only time, level and event remain', () => {
    const { lines, log } = capture();
    const fields = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`f${i}`, 'v'.repeat(200)]),
    );
    log.log('warn', 'x', fields);
    const o = JSON.parse(lines[0] as string) as Record<string, unknown>;
    assert.deepEqual(Object.keys(o).sort(), ['event', 'level', 'time', 'truncated']);
  });
  test('a line under the cap is written as it is', () => {
    const { lines, log } = capture();
    log.log('info', 'http.access', { status: 200 });
    assert.equal((JSON.parse(lines[0] as string) as { truncated?: boolean }).truncated, undefined);
  });
});
