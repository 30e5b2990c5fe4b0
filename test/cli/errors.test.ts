import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HttpError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import {
  commandDeadline,
  withCommandSignal,
} from '../../packages/psso-wstrust/src/http/command-deadline.ts';
import { wsTrustLogin } from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { runCli } from '../helpers/cli.ts';
import { MESSAGE_ID, response } from '../helpers/responses.ts';
import { type StubSts, startStubSts } from '../helpers/stub-sts.ts';
import { freePort } from '../http/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'psso-cli-errors-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const errorOf = (stdout: string) =>
  (JSON.parse(stdout) as { error: Record<string, unknown> }).error;

let sts: StubSts;
let caFile = '';
before(async () => {
  sts = await startStubSts();
  caFile = file('ca.pem', sts.caPem);
});
after(async () => {
  await sts.close();
  await closeHttpAgents();
  rmSync(dir, { recursive: true, force: true });
});

describe('network failures in the CLI: cause and hint, in text and --json', () => {
  test('an untrusted certificate (no --ca): reason, TLS code, the --ca hint, the cause and what to do', async () => {
    const [text, json] = await Promise.all([
      runCli(['mex', sts.mexUrl]),
      runCli(['mex', sts.mexUrl, '--json']),
    ]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /PSSO_ERR_HTTP_NETWORK: The server certificate is not trusted/);
    assert.match(text.stderr, /reason: tls-untrusted/);
    assert.match(text.stderr, /tlsCode: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.match(text.stderr, /hint: .*pass `--ca FILE` with the CA that issued it/);
    assert.match(text.stderr, /cause: UNABLE_TO_VERIFY_LEAF_SIGNATURE: /);
    assert.match(text.stderr, /what to do: /);
    assert.equal(json.code, 1);
    const e = errorOf(json.stdout);
    assert.equal(e.code, 'PSSO_ERR_HTTP_NETWORK');
    assert.equal(e.reason, 'tls-untrusted');
    assert.equal(e.tlsCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(e.host, '127.0.0.1');
    assert.match(String(e.hint), /--ca FILE/);
    assert.equal((e.cause as Array<{ code: string }>)[0]?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(typeof e.remediation, 'string');
  });
  test('connection refused and a name that does not resolve, in --json', async () => {
    const port = await freePort();
    const [refused, dns] = await Promise.all([
      runCli(['mex', `https://127.0.0.1:${port}/mex`, '--json']),
      runCli(['mex', 'https://nonexistent.invalid/mex', '--json']),
    ]);
    const r = errorOf(refused.stdout);
    assert.equal(r.reason, 'connection-refused');
    assert.equal(r.port, port);
    assert.match(String(r.hint), /nothing listens/);
    const d = errorOf(dns.stdout);
    assert.equal(d.reason, 'name-not-found');
    assert.equal(d.host, 'nonexistent.invalid');
  });
});

describe('--deadline bounds the whole command', () => {
  test('hostile STS: 1.3 and 2005 never answer; login --deadline 2000 ends in about 2 s with PSSO_ERR_HTTP_TIMEOUT', async () => {
    sts.behaviour['13'] = { kind: 'hang' };
    sts.behaviour['2005'] = { kind: 'hang' };
    const t0 = performance.now();
    const r = await runCli(
      [
        'login',
        '--mex',
        sts.mexUrl,
        '--ca',
        caFile,
        '--urn',
        'urn:federation:MicrosoftOnline',
        '--username',
        'alice@example.com',
        '--password-stdin',
        '--deadline',
        '2000',
        '--json',
      ],
      'pw\n',
    );
    const elapsed = performance.now() - t0;
    sts.behaviour['13'] = { kind: 'ok' };
    sts.behaviour['2005'] = { kind: 'ok' };
    assert.equal(r.code, 1);
    const e = errorOf(r.stdout);
    assert.equal(e.code, 'PSSO_ERR_HTTP_TIMEOUT');
    assert.equal(e.reason, 'deadline');
    assert.match(String(e.hint), /--deadline/);
    // Without the command deadline this takes 2 × 30 s (each request's own timeout); the bound
    // is loose because it includes starting a process on a loaded CI box.
    assert.ok(elapsed < 20_000, `took ${Math.round(elapsed)} ms`);
  });
  test('hostile STS, in-process: wsTrustLogin under a 2 s command deadline ends in < 6 s, no 2005 retry after it fired', async () => {
    sts.behaviour['13'] = { kind: 'hang' };
    sts.behaviour['2005'] = { kind: 'hang' };
    const before = sts.requests.length;
    const deadline = commandDeadline(2000);
    const events: string[] = [];
    const t0 = performance.now();
    const error = await wsTrustLogin({
      mexUrl: sts.mexUrl,
      federationRequestURN: 'urn:federation:MicrosoftOnline',
      username: 'alice@example.com',
      password: 'pw',
      http: withCommandSignal({ ca: sts.caPem }, deadline.signal),
      onProgress: (e) => events.push(`${e.step}:${e.phase}`),
    }).then(
      () => assert.fail('the login succeeded'),
      (e: unknown) => e,
    );
    const elapsed = performance.now() - t0;
    deadline.dispose();
    sts.behaviour['13'] = { kind: 'ok' };
    sts.behaviour['2005'] = { kind: 'ok' };
    assert.ok(error instanceof HttpError);
    assert.equal(error.code, 'PSSO_ERR_HTTP_TIMEOUT');
    assert.equal(error.reason, 'deadline');
    assert.ok(elapsed < 6000, `took ${Math.round(elapsed)} ms`);
    assert.ok(elapsed >= 1900, `ended early: ${Math.round(elapsed)} ms`);
    // MEX, then the 1.3 POST only: the fallback is not tried once the deadline fired.
    assert.deepEqual(
      sts.requests.slice(before).map((r) => r.path.split('/').slice(-2).join('/')),
      ['trust/mex', '13/usernamemixed'],
    );
    assert.deepEqual(events, ['mex:start', 'mex:done', 'rst:start', 'rst:failed']);
  });
  test('the 1.3 endpoint resets the connection: the fallback warning names the reason', async () => {
    sts.behaviour['13'] = { kind: 'reset' };
    const r = await runCli(
      [
        'login',
        '--mex',
        sts.mexUrl,
        '--ca',
        caFile,
        '--urn',
        'urn:federation:MicrosoftOnline',
        '--username',
        'alice@example.com',
        '--password-stdin',
        '--deadline',
        '20000',
      ],
      'pw\n',
    );
    sts.behaviour['13'] = { kind: 'ok' };
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /WS-Trust 1\.3 failed: PSSO_ERR_HTTP_NETWORK \(reset\); trying the 2005 endpoint/,
    );
  });
  test('--deadline must be a positive integer (usage error, exit 2)', async () => {
    const r = await runCli(['mex', sts.mexUrl, '--deadline', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--deadline must be a positive integer/);
  });
});

describe('--verbose', () => {
  test('prints a stderr line per exchange: method, URL, status, bytes, ms, TLS version, peer subject', async () => {
    const r = await runCli(['mex', sts.mexUrl, '--ca', caFile, '--verbose', '--json']);
    assert.equal(r.code, 0);
    assert.match(
      r.stderr,
      /http GET https:\/\/127\.0\.0\.1:\d+\/adfs\/services\/trust\/mex → 200 \d+ B \d+ ms TLSv1\.[23] CN=localhost/,
    );
    assert.doesNotThrow(() => JSON.parse(r.stdout));
  });
});

describe('WS-Trust errors show the values they were judged on', () => {
  test('time: rstr with --now far off shows value, window, now and skew (text and --json)', async () => {
    const saved = file('rstr.xml', response());
    const args = ['rstr', saved, '--now', '2026-11-29T12:00:00Z'];
    const [text, json] = await Promise.all([runCli(args), runCli([...args, '--json'])]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /PSSO_ERR_WSTRUST_EXPIRED/);
    assert.match(text.stderr, /value: 2026-11-29T10:05:00\.000Z/);
    assert.match(text.stderr, /notBefore: 2026-11-29T10:00:00\.000Z/);
    assert.match(text.stderr, /notAfter: 2026-11-29T10:05:00\.000Z/);
    assert.match(text.stderr, /now: 2026-11-29T12:00:00\.000Z/);
    assert.match(text.stderr, /skewSeconds: 120/);
    assert.match(text.stderr, /AD FS: .*w32tm/);
    const e = errorOf(json.stdout);
    assert.equal(e.code, 'PSSO_ERR_WSTRUST_EXPIRED');
    assert.equal(e.value, '2026-11-29T10:05:00.000Z');
    assert.equal(e.now, '2026-11-29T12:00:00.000Z');
    assert.equal(e.skewSeconds, 120);
    assert.equal(e.offBySeconds, -6900);
  });
  test('Created in the future: the offset in seconds', async () => {
    const saved = file('future.xml', response());
    const r = await runCli(['rstr', saved, '--now', '2026-11-29T09:00:00Z', '--json']);
    const e = errorOf(r.stdout);
    assert.equal(e.code, 'PSSO_ERR_WSTRUST_CREATED_IN_FUTURE');
    assert.equal(e.value, '2026-11-29T10:00:00.000Z');
    assert.equal(e.offBySeconds, 3600);
  });
  test('RelatesTo mismatch shows both ids; a fault shows its code, subcode and reason', async () => {
    const saved = file(
      'other.xml',
      response({ relatesTo: 'urn:uuid:11111111-2222-3333-4444-555555555555' }),
    );
    const fault = file(
      'fault.xml',
      response({
        fault: {
          code: 's:Sender',
          subcode: 'a:RequestFailed',
          reason: 'MSIS3127: The specified request failed.',
        },
      }),
    );
    const [mismatch, faultText] = await Promise.all([
      runCli([
        'rstr',
        saved,
        '--now',
        '2026-11-29T10:01:00Z',
        '--message-id',
        MESSAGE_ID,
        '--json',
      ]),
      runCli(['rstr', fault, '--now', '2026-11-29T10:01:00Z', '--message-id', MESSAGE_ID]),
    ]);
    const e = errorOf(mismatch.stdout);
    assert.equal(e.code, 'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH');
    assert.equal(e.expected, MESSAGE_ID);
    assert.equal(e.got, 'urn:uuid:11111111-2222-3333-4444-555555555555');
    assert.match(faultText.stderr, /PSSO_ERR_WSTRUST_FAULT/);
    assert.match(faultText.stderr, /faultCode: s:Sender/);
    assert.match(faultText.stderr, /subcode: a:RequestFailed/);
    assert.match(faultText.stderr, /reason: MSIS3127: The specified request failed\./);
    assert.match(faultText.stderr, /AD FS: .*event 111/);
  });
  test('a hostile RelatesTo is escaped and cut, never printed raw', async () => {
    const evil = `urn:uuid:\u001b]0;pwned\u0007${'x'.repeat(500)}`;
    const saved = file('evil.xml', response({ relatesTo: evil }));
    const r = await runCli([
      'rstr',
      saved,
      '--now',
      '2026-11-29T10:01:00Z',
      '--message-id',
      MESSAGE_ID,
    ]);
    assert.equal(r.code, 1);
    assert.ok(!r.stderr.includes('\u001b') && !r.stderr.includes('\u0007'));
    const got = /got: (.*)/.exec(r.stderr)?.[1] ?? '';
    assert.ok(got.length <= 202, `got is ${got.length} characters`);
  });
});
