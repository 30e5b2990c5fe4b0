import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { causeChain, errorFields, formatErrorText } from '../../packages/cli/src/error-report.ts';
import {
  REMEDIATIONS,
  remediationFor,
  remediationTable,
} from '../../packages/cli/src/remediation.ts';
import { HttpError, LoginError, WsTrustError } from '../../packages/psso-wstrust/src/errors.ts';
import { peerText } from '../../packages/psso-wstrust/src/lib/peer-text.ts';

const codes = [
  ...new Set(
    readFileSync(
      new URL('../../packages/psso-wstrust/src/errors.ts', import.meta.url),
      'utf8',
    ).match(/'PSSO_ERR_[A-Z0-9_]+'/g) ?? [],
  ),
].map((c) => c.slice(1, -1));

describe('remediation', () => {
  test('every PSSO_ERR_* code in src/errors.ts has a remediation entry', () => {
    assert.ok(codes.length > 50, `only ${codes.length} codes found`);
    const missing = codes.filter((c) => remediationFor(c) === undefined);
    assert.deepEqual(missing, []);
    for (const c of codes) assert.ok((remediationFor(c)?.fix.length ?? 0) > 20, c);
  });
  test('the table has no entry for a code that does not exist', () => {
    assert.deepEqual(
      Object.keys(REMEDIATIONS).filter((c) => !codes.includes(c)),
      [],
    );
  });
  test('the README table has one row per code, pipes escaped', () => {
    const lines = remediationTable().split('\n');
    assert.equal(lines.length, codes.length + 2);
    assert.equal(lines[0], '| Code | What to do | AD FS |');
    for (const line of lines.slice(2)) assert.equal(line.split(/(?<!\\)\|/).length, 5, line);
  });
  test('the README carries the table as generated: every PSSO_ERR_* code is documented there', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(remediationTable()),
      'regenerate it: node --import tsx scripts/remediation-table.ts',
    );
  });
  test('remediationFor ignores inherited names', () => {
    assert.equal(remediationFor('toString'), undefined);
    assert.equal(remediationFor('__proto__'), undefined);
  });
});

describe('what an error shows', () => {
  test('an HttpError: reason, tlsCode, host, port, hint, the cause chain and the remediation', () => {
    const cause = Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const fields = errorFields(
      new HttpError('PSSO_ERR_HTTP_NETWORK', 'The server certificate is not trusted', {
        reason: 'tls-untrusted',
        tlsCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        host: 'sts.example.com',
        port: 443,
        hint: 'pass `--ca FILE` with the CA that issued it',
        cause,
      }),
    );
    assert.equal(fields.reason, 'tls-untrusted');
    assert.equal(fields.port, 443);
    assert.deepEqual(fields.cause, [
      {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        message: 'unable to verify the first certificate',
      },
    ]);
    assert.equal(fields.remediation, REMEDIATIONS.PSSO_ERR_HTTP_NETWORK.fix);
    const text = formatErrorText(fields).join('\n');
    assert.match(text, /^ {2}reason: tls-untrusted$/m);
    assert.match(text, /^ {2}cause: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify/m);
    assert.match(text, /^ {2}what to do: /m);
    assert.match(text, /^ {2}AD FS: /m);
  });
  test('a LoginError without a predicate: the verdict says so', () => {
    const fields = errorFields(
      new LoginError('PSSO_ERR_LOGIN_INVALID_CREDENTIALS', 'x', {
        status: 401,
        error: 'invalid_grant',
        predicate: { expression: undefined, matched: false, verdict: 'credentials' },
      }),
    );
    assert.deepEqual(fields.predicate, { matched: false, verdict: 'credentials' });
    assert.match(formatErrorText(fields).join('\n'), /\(none\) → no predicate: a credential error/);
  });
  test('peer strings in details are sanitized by the error classes', () => {
    const e = new WsTrustError('PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH', 'x', undefined, {
      expected: 'urn:uuid:1',
      got: `a\u001b[2Jb${'y'.repeat(400)}`,
    });
    const got = String(e.details?.got);
    assert.ok(!got.includes('\u001b'));
    assert.ok(got.length <= 201);
    const l = new LoginError('PSSO_ERR_LOGIN_FAILED', 'x', { errorDescription: 'a\nb\u0007c' });
    assert.equal(l.errorDescription, 'a bc');
  });
  test('a cause chain stops after 4 and escapes control characters', () => {
    let e: Error = new Error('root\u001b');
    for (let i = 0; i < 6; i++) e = new Error(`level ${i}`, { cause: e });
    const chain = causeChain(e);
    assert.equal(chain.length, 4);
    assert.equal(causeChain(new Error('a\u001bb'))[0]?.message, 'a\\x1bb');
  });
  test('peerText escapes controls and cuts long text', () => {
    assert.equal(peerText('ok\r\n'), 'ok\\x0d\\x0a');
    assert.equal(peerText('\u2028'), '\\u2028');
    assert.equal(peerText('x'.repeat(300)).length, 201);
    assert.equal(peerText(42), '42');
  });
});
