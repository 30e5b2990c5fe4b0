import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canonicalAssertion } from '../../packages/idp/src/saml/sign.ts';
import { startTestIdp, type TestIdp, URN } from '../e2e/support.ts';
import { runCli } from '../helpers/cli.ts';
import { SHA1_ALGORITHMS, signAssertionXml } from '../helpers/saml-craft.ts';
import { testSigningMaterial } from '../helpers/signing.ts';
import { type StubSts, startStubSts } from '../helpers/stub-sts.ts';
import { baseParams } from '../idp/saml/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'psso-cli-login-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

interface LoginJson {
  warnings: Array<{ code: string; message: string }>;
  error?: { code: string; algorithm?: string; remediation?: string };
}

describe('login warns about an unsigned assertion (reference IdP --fault unsigned)', () => {
  let idp: TestIdp;
  let clean: TestIdp;
  before(async () => {
    idp = await startTestIdp({ faults: { unsigned: true } });
    clean = await startTestIdp();
  });
  after(async () => {
    await idp.close();
    await clean.close();
  });
  const login = (i: TestIdp, extra: string[] = []) =>
    runCli(
      [
        'login',
        '--endpoint',
        i.sts13Url,
        '--version',
        '1.3',
        '--urn',
        URN,
        '--username',
        i.demoUser.upn,
        '--password-stdin',
        '--ca',
        i.caFile,
        ...extra,
      ],
      i.password,
    );
  test('without --signing-cert: exit 0, a warning on stderr', async () => {
    const r = await login(idp);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: the assertion is not signed/);
  });
  test('without --signing-cert, --json: warnings [{code: PSSO_WARN_SAML_UNSIGNED}]', async () => {
    const r = await login(idp, ['--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as LoginJson;
    assert.deepEqual(
      out.warnings.map((w) => w.code),
      ['PSSO_WARN_SAML_UNSIGNED'],
    );
    assert.match(r.stderr, /warning: the assertion is not signed/, 'on stderr with --json too');
  });
  test('with --signing-cert the verification decides: PSSO_ERR_SAML_SIGNATURE', async () => {
    const r = await login(idp, ['--signing-cert', idp.signingCertFile, '--json']);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stdout) as LoginJson).error?.code, 'PSSO_ERR_SAML_SIGNATURE');
  });
  test('a signed RSA-SHA256 assertion: no warning', async () => {
    const r = await login(clean, ['--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as LoginJson).warnings, []);
  });
});

describe('login and an RSA-SHA1 signed assertion (stub STS)', () => {
  let sts: StubSts;
  let ca: string;
  let cert: string;
  before(async () => {
    const key = await testSigningMaterial();
    sts = await startStubSts();
    sts.token = signAssertionXml(
      canonicalAssertion(baseParams('1.1')),
      '1.1',
      key,
      SHA1_ALGORITHMS,
    );
    ca = file('ca.pem', sts.caPem);
    cert = file('signing.pem', key.certificatePem);
  });
  after(() => sts.close());
  const login = (extra: string[] = []) =>
    runCli(
      [
        'login',
        '--mex',
        sts.mexUrl,
        '--urn',
        URN,
        '--username',
        'alice',
        '--password-stdin',
        '--ca',
        ca,
        ...extra,
      ],
      'pw',
    );
  test('without --signing-cert: exit 0, a SHA-1 warning with the AD FS setting', async () => {
    const r = await login();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: the assertion is signed with RSA-SHA1 \(digest SHA-1\)/);
    assert.match(r.stderr, /Set-AdfsRelyingPartyTrust/);
    const j = await login(['--json']);
    assert.deepEqual(
      (JSON.parse(j.stdout) as LoginJson).warnings.map((w) => w.code),
      ['PSSO_WARN_SAML_SHA1'],
    );
  });
  test('with --signing-cert: refused, naming RSA-SHA1 and the remediation', async () => {
    const r = await login(['--signing-cert', cert, '--json']);
    assert.equal(r.code, 1);
    const e = (JSON.parse(r.stdout) as LoginJson).error;
    assert.equal(e?.code, 'PSSO_ERR_SAML_SIGNATURE');
    assert.equal(e?.algorithm, SHA1_ALGORITHMS.signature);
    assert.match(
      e?.remediation ?? '',
      /-SignatureAlgorithm 'http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256'/,
    );
  });
  test('with --signing-cert --allow-sha1: accepted, still a warning', async () => {
    const r = await login(['--signing-cert', cert, '--allow-sha1', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as LoginJson;
    assert.equal(out.warnings[0]?.code, 'PSSO_WARN_SAML_SHA1');
    assert.match(out.warnings[0]?.message ?? '', /accepted only because of --allow-sha1/);
  });
});
