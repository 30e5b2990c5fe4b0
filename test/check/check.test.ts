/**
 * `check` end to end: a clean IdP passes every rule; the CLI's `--json` output validates against
 * the schema and sets the exit code; the terminal view puts failures first; secrets are redacted;
 * a missing Timestamp and an http-only MEX (from a loopback stub) fail their rules; `--config`
 * runs the Platform SSO nonce and token requests against an IdP with a registered device.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CheckReport } from '../../packages/psso-wstrust/src/check/report.ts';
import { runCheck } from '../../packages/psso-wstrust/src/check/run.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { enrol, startTestIdp, type TestIdp, URN } from '../e2e/support.ts';
import { runCli } from '../helpers/cli.ts';
import { validateJson } from '../helpers/json-schema.ts';
import { mexDoc } from '../helpers/mex-doc.ts';
import { response } from '../helpers/responses.ts';
import { makeTestPki } from '../helpers/tls.ts';
import {
  assertFailed,
  assertValid,
  checkIdp,
  closeSharedIdp,
  failed,
  ruleOf,
  SCHEMA,
} from './support.ts';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(async () => {
  await idp.close();
  await closeSharedIdp();
  await closeHttpAgents();
});

const argsFor = (on: TestIdp, extra: string[] = []) => [
  'check',
  '--mex',
  on.mexUrl,
  '--urn',
  URN,
  '--username',
  on.demoUser.upn,
  '--password-stdin',
  '--ca',
  on.caFile,
  '--signing-cert',
  on.signingCertFile,
  ...extra,
];
const cliArgs = (extra: string[] = []) => argsFor(idp, extra);

describe('check against a clean IdP', () => {
  test('every rule passes: no failure, no warning, nothing skipped', async () => {
    const { report } = await runCheck({
      mexUrl: idp.mexUrl,
      urn: URN,
      username: idp.demoUser.upn,
      password: idp.password,
      http: { ca: idp.caPem },
      signingCertificates: [idp.signingCertPem],
    });
    assertValid(report);
    const notPassed = report.rules.filter((r) => r.status !== 'pass');
    assert.deepEqual(notPassed, []);
    const ids = report.rules.map((r) => r.id);
    for (const id of [
      'mex.wsdl',
      'mex.username-policy',
      'mex.binding',
      'mex.port',
      'mex.https',
      'mex.username-endpoint',
      'mex.http-endpoints',
      'mex.sts-host',
      'rst.transport',
      'rstr.soap12',
      'rstr.relates-to',
      'rstr.fault',
      'rstr.timestamp-present',
      'rstr.timestamp-created',
      'rstr.timestamp-expires',
      'rstr.lifetime',
      'rstr.shape',
      'rstr.token-count',
      'rstr.token-type',
      'rstr.token-type-matches',
      'saml.signature',
      'saml.signing-certificate',
      'saml.audience',
      'saml.entra-claims',
      'tls.sts-certificate',
      'clock.offset',
      'timing.mex',
      'timing.rst',
    ])
      assert.ok(ids.includes(id), id);
    assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
    for (const r of report.rules.filter((x) => x.macosRule)) assert.ok(r.macos.length > 20, r.id);
    assert.ok(Math.abs(report.clockOffsetSeconds ?? 99) <= 1);
    assert.equal(ruleOf(report, 'tls.sts-certificate').got?.includes('trusted'), true);
  });

  test('the user realm leads to the MEX', async () => {
    const report = await checkIdp(undefined, {
      realmUrl: `${idp.origin}/common/UserRealm?api-version=1.0`,
    });
    assert.deepEqual(failed(report), []);
    assert.equal(ruleOf(report, 'realm.federated').status, 'pass');
    assert.deepEqual(
      report.exchanges.map((x) => x.step),
      ['realm', 'mex', 'rst'],
    );
  });

  test('secrets are redacted: password, assertion, nonce; kept when redact is false', async () => {
    const { report } = await runCheck({
      mexUrl: idp.mexUrl,
      urn: URN,
      username: idp.demoUser.upn,
      password: idp.password,
      http: { ca: idp.caPem },
    });
    const text = JSON.stringify(report);
    assert.equal(text.includes(idp.password), false);
    // The assertion is neutralised (its signature value gone) and stays readable for diagnosis.
    assert.match(text, /SignatureValue>\[REDACTED\]</);
    assert.doesNotMatch(text, /SignatureValue>[A-Za-z0-9+/]/);
    assert.ok(report.exchanges.every((x) => x.redacted));
    const raw = await runCheck({
      mexUrl: idp.mexUrl,
      urn: URN,
      username: idp.demoUser.upn,
      password: idp.password,
      http: { ca: idp.caPem },
      redact: false,
    });
    assert.ok(JSON.stringify(raw.report).includes('SignatureValue'));
  });

  test('--profile wss11: the full UsernameToken passes too, its Nonce and Password redacted', async () => {
    const report = await checkIdp(undefined, { profile: 'wss11' });
    assert.deepEqual(failed(report), []);
    assert.equal(report.target.profile, 'wss11');
    const rst = report.exchanges.find((x) => x.step === 'rst')?.request.body ?? '';
    assert.match(rst, /Nonce[^>]*>\[REDACTED\]</);
    assert.match(rst, /Password[^>]*>\[REDACTED\]</);
  });
});

describe('check from the command line', () => {
  test('--json on a clean IdP: exit 0, a schema-valid report', async () => {
    const r = await runCli(cliArgs(['--json']), `${idp.password}\n`);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as CheckReport;
    assert.deepEqual(validateJson(SCHEMA, report), []);
    assert.equal(report.summary.fail, 0);
    assert.equal(r.stdout.includes(idp.password), false);
  });

  test('--json on an IdP with the wrong RelatesTo: exit 1, the failed rule with expected, got and remediation', async () => {
    const bad = await startTestIdp({ faults: { wrongRelatesTo: true } });
    try {
      const r = await runCli(argsFor(bad, ['--json']), `${bad.password}\n`);
      assert.equal(r.code, 1, r.stderr);
      const report = JSON.parse(r.stdout) as CheckReport;
      assert.deepEqual(validateJson(SCHEMA, report), []);
      const rule = assertFailed(report, 'rstr.relates-to', /^urn:uuid:/, /^urn:uuid:/);
      assert.notEqual(rule.got, rule.expected);
    } finally {
      await bad.close();
    }
  });

  test('terminal view: summary first with the failure, grouped by step, no colour off a TTY', async () => {
    const bad = await startTestIdp({ faults: { skewSeconds: 600 } });
    try {
      const r = await runCli(argsFor(bad), `${bad.password}\n`);
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stdout, new RegExp(String.fromCharCode(27)));
      const summary = r.stdout.indexOf('Summary');
      const firstFail = r.stdout.indexOf('FAIL rstr.timestamp-created');
      const group = r.stdout.indexOf('RequestSecurityTokenResponse\n');
      assert.ok(summary > 0 && firstFail > summary && group > firstFail, r.stdout);
      assert.match(r.stdout, /fix \(AD FS\): .*w32tm/);
      assert.equal(r.stderr, '', 'no progress lines off a TTY');
    } finally {
      await bad.close();
    }
  });

  test('--trace and --html, then --from-trace: the saved trace is judged again offline with the same verdicts', async () => {
    const bad = await startTestIdp({ faults: { wrongRelatesTo: true } });
    const dir = mkdtempSync(join(tmpdir(), 'psso-check-'));
    try {
      const trace = join(dir, 'trace.har');
      const html = join(dir, 'report.html');
      const live = await runCli(
        argsFor(bad, ['--json', '--trace', trace, '--html', html]),
        `${bad.password}\n`,
      );
      assert.equal(live.code, 1, live.stderr);
      const har = readFileSync(trace, 'utf8');
      assert.equal(har.includes(bad.password), false, 'the trace is redacted');
      assert.equal(JSON.parse(har).log.version, '1.2');
      assert.match(readFileSync(html, 'utf8'), /rstr\.relates-to/);
      const again = await runCli(['check', '--from-trace', trace, '--json']);
      assert.equal(again.code, 1, again.stderr);
      const verdicts = (r: CheckReport) =>
        r.rules.filter((x) => x.status !== 'skipped').map((x) => [x.id, x.status]);
      const before = JSON.parse(live.stdout) as CheckReport;
      const after = JSON.parse(again.stdout) as CheckReport;
      assert.deepEqual(validateJson(SCHEMA, after), []);
      assertFailed(after, 'rstr.relates-to', /^urn:uuid:/, /^urn:uuid:/);
      // Offline, the rules that need the live connection (TLS, timing) or the secrets are skipped;
      // every rule judged offline agrees with the live run.
      const live2 = new Map(verdicts(before).map(([id, st]) => [id, st]));
      for (const [id, st] of verdicts(after))
        assert.equal(st, live2.get(id as string), id as string);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await bad.close();
    }
  });

  test('usage errors exit 2: no target, two targets, no --urn', async () => {
    const none = await runCli(
      ['check', '--urn', URN, '--username', 'u', '--password-stdin'],
      'x\n',
    );
    assert.equal(none.code, 2);
    const two = await runCli(
      [
        'check',
        '--mex',
        idp.mexUrl,
        '--realm-url',
        idp.realmUrl,
        '--urn',
        URN,
        '--username',
        'u',
        '--password-stdin',
      ],
      'x\n',
    );
    assert.equal(two.code, 2);
    const noUrn = await runCli(
      ['check', '--mex', idp.mexUrl, '--username', 'u', '--password-stdin'],
      'x\n',
    );
    assert.equal(noUrn.code, 2);
  });
});

/** A loopback https stub: a MEX (addresses from `mex`) and an STS answering with `answer`. */
async function startStub(
  mex: (origin: string) => string,
  answer: (messageId: string) => string,
): Promise<{ origin: string; caPem: string; close(): Promise<void> }> {
  const pki = await makeTestPki();
  let origin = '';
  const server: Server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/mex') {
        res.writeHead(200, { 'content-type': 'application/soap+xml' }).end(mex(origin));
        return;
      }
      const id = /<a:MessageID>([^<]+)</.exec(body)?.[1] ?? '';
      res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(answer(id));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    caPem: pki.caPem,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('check against a loopback stub', () => {
  test('a missing Timestamp: rstr.timestamp-present fails; Created and Expires are skipped', async () => {
    const stub = await startStub(
      (o) => mexDoc({ address13: `${o}/13`, address2005: `${o}/2005` }),
      (id) => {
        const now = Date.now();
        return response({
          relatesTo: id,
          created: null,
          expires: null,
          lifetimeCreated: new Date(now).toISOString(),
          lifetimeExpires: new Date(now + 3_600_000).toISOString(),
        });
      },
    );
    try {
      const { report } = await runCheck({
        mexUrl: `${stub.origin}/mex`,
        urn: URN,
        username: 'alice@example.com',
        password: 'pw',
        http: { ca: stub.caPem },
      });
      assertValid(report);
      assertFailed(report, 'rstr.timestamp-present', /no wsse:Security\/wsu:Timestamp/, /Created/);
      assert.equal(ruleOf(report, 'rstr.timestamp-created').status, 'skipped');
      assert.equal(ruleOf(report, 'rstr.token-type').status, 'pass');
      // The stub's assertion is unsigned and has no Entra claims: judged all the same.
      assert.equal(ruleOf(report, 'saml.signature').status, 'fail');
      assert.equal(ruleOf(report, 'saml.entra-claims').status, 'warn');
      assert.ok(ruleOf(report, 'saml.entra-claims').remediation);
    } finally {
      await stub.close();
    }
  });

  test('an http-only MEX: mex.https fails, mex.http-endpoints warns, no password is sent', async () => {
    const stub = await startStub(
      () =>
        mexDoc({
          address13: 'http://sts.example.com/13',
          address2005: 'http://sts.example.com/2005',
        }),
      () => '',
    );
    try {
      const { report } = await runCheck({
        mexUrl: `${stub.origin}/mex`,
        urn: URN,
        username: 'alice@example.com',
        password: 'pw',
        http: { ca: stub.caPem },
      });
      assertValid(report);
      assertFailed(report, 'mex.https', /insecure|not https/i, /https/);
      assertFailed(report, 'mex.username-endpoint', /PSSO_ERR_MEX_INSECURE_ADDRESS/);
      const w = ruleOf(report, 'mex.http-endpoints');
      assert.equal(w.status, 'warn');
      assert.match(w.got ?? '', /http:\/\/sts\.example\.com\/13/);
      assert.equal(report.exchanges.filter((x) => x.step === 'rst').length, 0);
      assert.equal(ruleOf(report, 'rst.transport').status, 'skipped');
    } finally {
      await stub.close();
    }
  });
});

describe('check --config: the Platform SSO nonce and token requests', () => {
  const keys = generateDeviceKeys();
  let pidp: TestIdp;
  before(async () => {
    pidp = await startTestIdp();
    await enrol(pidp.dataDir, keys);
  });
  after(() => pidp.close());
  const config = () =>
    resolveLoginConfiguration(
      parseLoginConfiguration({
        clientID: 'psso',
        issuer: pidp.origin,
        tokenEndpointURL: `${pidp.origin}/psso/token`,
        jwksEndpointURL: `${pidp.origin}/psso/jwks`,
        nonceEndpointURL: `${pidp.origin}/psso/nonce`,
        federationType: 'wsTrust',
        federationRequestURN: URN,
        federationMEXURL: pidp.mexUrl,
        invalidCredentialPredicate:
          "error = 'invalid_grant' AND suberror != 'device_authentication_failed'",
      }),
    );

  test('a registered device: nonce and token pass, the nonce is redacted', async () => {
    const { report } = await runCheck({
      config: config(),
      keys,
      username: pidp.demoUser.upn,
      password: pidp.password,
      http: { ca: pidp.caPem },
      signingCertificates: [pidp.signingCertPem],
    });
    assertValid(report);
    assert.deepEqual(failed(report), []);
    assert.equal(ruleOf(report, 'psso.nonce').status, 'pass');
    assert.equal(
      ruleOf(report, 'psso.token').status,
      'pass',
      JSON.stringify(ruleOf(report, 'psso.token')),
    );
    assert.deepEqual(
      report.exchanges.map((x) => x.step),
      ['psso-nonce', 'mex', 'rst', 'psso-token'],
    );
    const nonce = report.exchanges[0]?.response?.body ?? '';
    assert.match(nonce, /\[REDACTED\]/);
  });

  test('an unknown device: psso.token fails with the status, error, suberror and the predicate’s verdict', async () => {
    const { report } = await runCheck({
      config: config(),
      keys: generateDeviceKeys(),
      username: pidp.demoUser.upn,
      password: pidp.password,
      http: { ca: pidp.caPem },
    });
    assertValid(report);
    const r = assertFailed(report, 'psso.token', /HTTP 4\d\d; error \w+/);
    assert.match(r.got ?? '', /invalidCredentialPredicate/);
  });
});

describe('check: TLS, hosts, deadline, judging again from the recorded exchanges', () => {
  test('an untrusted STS certificate (no --ca): mex.fetch and tls.mex-certificate fail, the fix names --ca', async () => {
    const { report } = await runCheck({
      mexUrl: idp.mexUrl,
      urn: URN,
      username: idp.demoUser.upn,
      password: idp.password,
    });
    assertValid(report);
    assertFailed(report, 'mex.fetch', /PSSO_ERR_HTTP_NETWORK/);
    const r = assertFailed(report, 'tls.mex-certificate', /NOT trusted/);
    assert.match(r.remediation?.generic ?? '', /--ca FILE/);
    assert.equal(ruleOf(report, 'tls.sts-certificate').status, 'skipped');
  });

  test('an STS on another host than the MEX: mex.sts-host warns (the password goes there)', async () => {
    const stub = await startStub(
      (o) => {
        const other = o.replace('127.0.0.1', 'localhost');
        return mexDoc({ address13: `${other}/13`, address2005: `${other}/2005` });
      },
      (id) => response({ relatesTo: id }),
    );
    try {
      const { report } = await runCheck({
        mexUrl: `${stub.origin}/mex`,
        urn: URN,
        username: 'alice@example.com',
        password: 'pw',
        http: { ca: stub.caPem },
      });
      const r = ruleOf(report, 'mex.sts-host');
      assert.equal(r.status, 'warn');
      assert.match(r.got ?? '', /password goes to localhost:/);
      assert.ok(r.remediation);
    } finally {
      await stub.close();
    }
  });

  test('--deadline bounds the whole run: a slow STS is cut off once, not per endpoint', async () => {
    const t0 = performance.now();
    const report = await checkIdp({ delayMs: 5000 }, { deadlineMs: 1500 });
    assert.ok(performance.now() - t0 < 4000);
    assertFailed(report, 'rst.transport', /DEADLINE/);
    assert.equal(ruleOf(report, 'timing.rst').status, 'fail');
    assert.equal(report.exchanges.filter((x) => x.step === 'rst').length, 1);
  });

  test('a peer that never finishes the TLS handshake: the deadline ends the run and the TLS probe', async () => {
    const { createServer: createTcp } = await import('node:net');
    const held: import('node:net').Socket[] = [];
    const tcp = createTcp((s) => held.push(s));
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    try {
      const t0 = performance.now();
      const { report } = await runCheck({
        mexUrl: `https://127.0.0.1:${(tcp.address() as AddressInfo).port}/mex`,
        urn: URN,
        username: 'alice@example.com',
        password: 'pw',
        deadlineMs: 800,
      });
      assert.ok(performance.now() - t0 < 3000);
      assertFailed(report, 'mex.fetch', /DEADLINE/);
      assert.equal(ruleOf(report, 'timing.mex').status, 'fail');
    } finally {
      for (const s of held) s.destroy();
      tcp.close();
    }
  });

  test('grading the recorded (unredacted) exchanges again gives the same verdicts', async () => {
    const { grade } = await import('../../packages/psso-wstrust/src/check/grade.ts');
    const { rawFromRecorded } = await import('../../packages/psso-wstrust/src/check/record.ts');
    const { report } = await runCheck({
      mexUrl: idp.mexUrl,
      urn: URN,
      username: idp.demoUser.upn,
      password: idp.password,
      http: { ca: idp.caPem },
      signingCertificates: [idp.signingCertPem],
      redact: false,
    });
    const again = grade({
      exchanges: report.exchanges.map(rawFromRecorded),
      urn: URN,
      signingCertificates: [idp.signingCertPem],
    });
    assert.deepEqual(
      again.rules.map((r) => [r.id, r.status]),
      report.rules.map((r) => [r.id, r.status]),
    );
  });
});
