/**
 * `check --config` grades each login method of the shared table against the reference IdP
 * (started here, on loopback): in-process (runCheck) for a federated and a managed
 * configuration, and through the CLI in its own process (JSON validated against the schema, the
 * terminal view, the HTML section, the exit code). An unregistered device fails the methods with
 * their PSSO_ERR code and the check exits 1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type CheckReport,
  type MethodResult,
  reportFails,
} from '../../packages/psso-wstrust/src/check/report.ts';
import { runCheck } from '../../packages/psso-wstrust/src/check/run.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import {
  generateDeviceKeys,
  loadOrCreateDeviceKeys,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { enrol, startTestIdp, type TestIdp, URN } from '../e2e/support.ts';
import { runCli } from '../helpers/cli.ts';
import { assertValid } from './support.ts';

const MANAGED = { upn: 'carol@managed.example', password: 'a managed password 42' };
const keys = generateDeviceKeys();
let idp: TestIdp;
let files: string;
before(async () => {
  idp = await startTestIdp();
  await enrol(idp.dataDir, keys, MANAGED);
  files = mkdtempSync(join(tmpdir(), 'psso-check-methods-'));
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
  rmSync(files, { recursive: true, force: true });
});

const configJson = (federationType: 'wsTrust' | 'none') => ({
  clientID: 'psso',
  issuer: idp.origin,
  tokenEndpointURL: `${idp.origin}/psso/token`,
  jwksEndpointURL: `${idp.origin}/psso/jwks`,
  nonceEndpointURL: `${idp.origin}/psso/nonce`,
  refreshEndpointURL: `${idp.origin}/psso/token`,
  federationType,
  federationRequestURN: URN,
  ...(federationType === 'wsTrust' ? { federationMEXURL: idp.mexUrl } : {}),
  invalidCredentialPredicate:
    "error = 'invalid_grant' AND suberror != 'device_authentication_failed'",
});
const config = (t: 'wsTrust' | 'none') =>
  resolveLoginConfiguration(parseLoginConfiguration(configJson(t)));

function methodOf(report: CheckReport, id: string): MethodResult {
  const m = report.methods?.find((x) => x.id === id);
  assert.ok(m, `no method ${id} in ${JSON.stringify(report.methods)}`);
  return m;
}
const statuses = (report: CheckReport) => report.methods?.map((m) => [m.id, m.status]);

describe('check --config: each login method, graded (in process)', () => {
  test('a federated configuration: password skipped (wsTrust), federated SAML 1.1 and refresh pass', async () => {
    const { report } = await runCheck({
      config: config('wsTrust'),
      keys,
      username: idp.demoUser.upn,
      password: idp.password,
      http: { ca: idp.caPem },
    });
    assertValid(report);
    assert.deepEqual(statuses(report), [
      ['password', 'skipped'],
      ['federated', 'pass'],
      ['encrypted-password', 'skipped'],
      ['secure-enclave-key', 'skipped'],
      ['smartcard', 'skipped'],
      ['hpke', 'skipped'],
      ['refresh', 'pass'],
      ['key-request', 'pass'],
      ['key-exchange', 'pass'],
    ]);
    assert.match(methodOf(report, 'password').skippedBecause ?? '', /federationType wsTrust/);
    const fed = methodOf(report, 'federated');
    assert.equal(fed.samlVersion, '1.1');
    assert.deepEqual(fed.needs, ['password', 'federation']);
    assert.deepEqual(
      fed.steps.map((s) => s.step),
      ['nonce', 'mex', 'wstrust', 'login'],
    );
    // No secret in the method results.
    assert.equal(JSON.stringify(report.methods).includes(idp.password), false);
  });

  test('a managed configuration: password and refresh pass, federated skipped (federationType none)', async () => {
    const { report } = await runCheck({
      config: config('none'),
      keys,
      username: MANAGED.upn,
      password: MANAGED.password,
      http: { ca: idp.caPem },
    });
    assertValid(report);
    assert.deepEqual(statuses(report), [
      ['password', 'pass'],
      ['federated', 'skipped'],
      ['encrypted-password', 'skipped'],
      ['secure-enclave-key', 'skipped'],
      ['smartcard', 'skipped'],
      ['hpke', 'skipped'],
      ['refresh', 'pass'],
      ['key-request', 'pass'],
      ['key-exchange', 'pass'],
    ]);
    assert.match(methodOf(report, 'federated').skippedBecause ?? '', /federationType none/);
    assert.equal(JSON.stringify(report.methods).includes(MANAGED.password), false);
  });

  test('a wrong password (managed): password fails with PSSO_ERR_LOGIN_INVALID_CREDENTIALS, refresh skipped', async () => {
    const { report } = await runCheck({
      config: config('none'),
      keys,
      username: MANAGED.upn,
      password: 'not the password',
      http: { ca: idp.caPem },
    });
    const pw = methodOf(report, 'password');
    assert.equal(pw.status, 'fail');
    assert.equal(pw.code, 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS');
    assert.equal(methodOf(report, 'refresh').status, 'skipped');
    assert.match(methodOf(report, 'refresh').skippedBecause ?? '', /no refresh token/);
  });
});

test('reportFails: a failed method fails the check even when no rule failed; skipped does not', () => {
  const base = { summary: { pass: 3, warn: 1, fail: 0, skipped: 2 } } as CheckReport;
  const method = (status: MethodResult['status']): MethodResult => ({
    id: 'password',
    label: 'password',
    status,
    durationMs: 1,
    needs: ['password'],
    detail: '',
    steps: [],
  });
  assert.equal(reportFails(base), false);
  assert.equal(reportFails({ ...base, methods: [method('skipped'), method('pass')] }), false);
  assert.equal(reportFails({ ...base, methods: [method('pass'), method('fail')] }), true);
  assert.equal(reportFails({ ...base, summary: { ...base.summary, fail: 1 } }), true);
});

describe('check --config through the CLI (its own process) against the reference IdP', () => {
  const run = async (keyFile: string, extra: string[] = []) => {
    const cfg = join(files, 'config.json');
    writeFileSync(cfg, JSON.stringify(configJson('wsTrust')));
    return runCli(
      [
        'check',
        '--config',
        cfg,
        '--keys',
        keyFile,
        '--username',
        idp.demoUser.upn,
        '--password-stdin',
        '--ca',
        idp.caFile,
        '--signing-cert',
        idp.signingCertFile,
        ...extra,
      ],
      idp.password,
    );
  };

  test('a registered device: exit 0; --json has every method, valid against the schema; the HTML has the section', async () => {
    const keyFile = join(files, 'registered', 'device-keys.json');
    await enrol(idp.dataDir, await loadOrCreateDeviceKeys(keyFile));
    const html = join(files, 'report.html');
    const r = await run(keyFile, ['--json', '--html', html]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as CheckReport;
    assertValid(report);
    assert.deepEqual(statuses(report), [
      ['password', 'skipped'],
      ['federated', 'pass'],
      ['encrypted-password', 'skipped'],
      ['secure-enclave-key', 'skipped'],
      ['smartcard', 'skipped'],
      ['hpke', 'skipped'],
      ['refresh', 'pass'],
      ['key-request', 'pass'],
      ['key-exchange', 'pass'],
    ]);
    assert.equal(methodOf(report, 'federated').samlVersion, '1.1');
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<section id="methods" data-count-total="9" data-count-fail="0">/);
    assert.match(page, /data-method-id="refresh" data-status="pass"/);
    assert.equal(page.includes(idp.password), false);
    assert.equal(r.stdout.includes(idp.password), false);
  });

  test('the terminal view lists the login methods', async () => {
    const keyFile = join(files, 'registered', 'device-keys.json');
    const r = await run(keyFile);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /Login methods\n {2}SKIP password .*\n {2}PASS federated .*SAML 1\.1.*\n(?: {2}SKIP .*\n){4} {2}PASS refresh .*\n {2}PASS key-request .*\n {2}PASS key-exchange /,
    );
  });

  test('an unregistered device: the federated method fails with its PSSO_ERR code, exit 1', async () => {
    const keyFile = join(files, 'unregistered', 'device-keys.json');
    await loadOrCreateDeviceKeys(keyFile);
    const r = await run(keyFile, ['--json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as CheckReport;
    assertValid(report);
    const fed = methodOf(report, 'federated');
    assert.equal(fed.status, 'fail');
    assert.match(fed.code ?? '', /^PSSO_ERR_LOGIN_/);
    assert.equal(methodOf(report, 'refresh').status, 'skipped');
  });
});
