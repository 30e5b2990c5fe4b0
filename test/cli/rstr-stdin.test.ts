import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { securityTokenRequest } from '../../packages/psso-wstrust/src/wstrust/exchange.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { endpointOf, startTestIdp, type TestIdp, URN } from '../e2e/support.ts';
import { ADFS_CREATED, ADFS_RSTR, adfsSigningCertPem } from '../helpers/adfs-sha1.ts';
import { runCli } from '../helpers/cli.ts';
import { readInterop } from '../helpers/interop.ts';
import { makeSigningMaterial } from '../helpers/signing.ts';

const dir = mkdtempSync(join(tmpdir(), 'psso-cli-rstr-'));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const adfs = () => readInterop(ADFS_RSTR).toString('utf8');
const adfsCert = () => file('adfs-signing.pem', adfsSigningCertPem());
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const CMDLET =
  /Set-AdfsRelyingPartyTrust -TargetName 'Microsoft Office 365 Identity Platform' -SignatureAlgorithm 'http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256'/;

interface RstrJson {
  assertion: {
    xml: string;
    issuer: string;
    audiences: string[][];
    subject: { nameId: string };
    attributes: Array<{ name: string; values: string[] }>;
    conditions: { notBefore: string; notOnOrAfter: string };
    signature: { algorithm: string; algorithmName: string };
    signingCertificate: { subject: string; sha256Fingerprint: string };
  };
  now: { at: string; source: string };
  signatureVerified: boolean;
  warnings: Array<{ code: string; message: string }>;
  error?: { code: string; algorithm?: string; remediation?: string };
}

describe('psso-wstrust rstr - (a real AD FS capture on stdin)', () => {
  test('rstr - --now auto: validated as of its own Created, the assertion shown in full', async () => {
    const r = await runCli(['rstr', '-', '--now', 'auto'], adfs());
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /as of 2014-01-27T08:15:45\.003Z \(--now auto: the response's own Timestamp Created\)/,
    );
    assert.match(r.stderr, /assertion signature not verified: no --signing-cert/);
    assert.match(r.stdout, /issuer: +http:\/\/fs\.naturalcauses\.com\/adfs\/services\/trust/);
    assert.match(r.stdout, /audiences: +urn:federation:MicrosoftOnline/);
    assert.match(r.stdout, /subject: +43YRzTrh\+Ue8eTecnqLAxQ==/);
    assert.match(
      r.stdout,
      /UPN \[http:\/\/schemas\.xmlsoap\.org\/claims\]: frizzo@naturalcauses\.com/,
    );
    assert.match(
      r.stdout,
      /conditions: 2014-01-27T08:15:45\.003Z → 2014-01-27T09:15:45\.003Z \(60 min\)/,
    );
    assert.match(
      r.stdout,
      /signature: +RSA-SHA1 \(http:\/\/www\.w3\.org\/2000\/09\/xmldsig#rsa-sha1\)/,
    );
    assert.match(r.stdout, /signing certificate \(from KeyInfo, shown only, never trusted\)/);
    assert.match(r.stdout, /subject: +CN=ADFS Signing - fs\.naturalcauses\.com/);
    // Without --signing-cert, the SHA-1 signature is a warning with the remediation.
    assert.match(r.stderr, /warning: the assertion is signed with RSA-SHA1/);
    assert.match(r.stderr, CMDLET);
  });
  test('rstr - --now auto --json: the assertion object, the instant used and the warnings', async () => {
    const r = await runCli(['rstr', '-', '--now', 'auto', '--json'], adfs());
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as RstrJson;
    assert.deepEqual(out.now, { at: ADFS_CREATED.toISOString(), source: 'auto' });
    assert.match(out.assertion.xml, /^<saml:Assertion /);
    assert.equal(out.assertion.issuer, 'http://fs.naturalcauses.com/adfs/services/trust');
    assert.deepEqual(out.assertion.audiences, [['urn:federation:MicrosoftOnline']]);
    assert.equal(out.assertion.subject.nameId, '43YRzTrh+Ue8eTecnqLAxQ==');
    assert.deepEqual(
      out.assertion.attributes.map((a) => a.name),
      ['UPN', 'ImmutableID'],
    );
    assert.equal(out.assertion.conditions.notOnOrAfter, '2014-01-27T09:15:45.003Z');
    assert.equal(out.assertion.signature.algorithm, SHA1);
    assert.equal(
      out.assertion.signingCertificate.subject,
      'CN=ADFS Signing - fs.naturalcauses.com',
    );
    assert.equal(out.signatureVerified, false);
    assert.deepEqual(
      out.warnings.map((w) => w.code),
      ['PSSO_WARN_SAML_SHA1'],
    );
  });
  test('without --now the old capture is refused as expired (auto is what makes it usable)', async () => {
    const r = await runCli(['rstr', '-', '--json'], adfs());
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stdout) as RstrJson).error?.code, 'PSSO_ERR_WSTRUST_EXPIRED');
  });
  test('--signing-cert on the real SHA-1 assertion: refused with the algorithm and the relying-party setting (text)', async () => {
    const r = await runCli(['rstr', '-', '--now', 'auto', '--signing-cert', adfsCert()], adfs());
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /PSSO_ERR_SAML_SIGNATURE: .*signature algorithm is RSA-SHA1 \(http:\/\/www\.w3\.org\/2000\/09\/xmldsig#rsa-sha1\)/,
    );
    assert.match(r.stderr, /algorithm: http:\/\/www\.w3\.org\/2000\/09\/xmldsig#rsa-sha1/);
    assert.match(r.stderr, /what to do: On AD FS/);
    assert.match(r.stderr, CMDLET);
    assert.doesNotMatch(r.stderr, /signature algorithm not allowed$/m);
  });
  test('--signing-cert on the real SHA-1 assertion: the same refusal in --json', async () => {
    const r = await runCli(
      ['rstr', '-', '--now', 'auto', '--signing-cert', adfsCert(), '--json'],
      adfs(),
    );
    assert.equal(r.code, 1);
    const e = (JSON.parse(r.stdout) as RstrJson).error;
    assert.equal(e?.code, 'PSSO_ERR_SAML_SIGNATURE');
    assert.equal(e?.algorithm, SHA1);
    assert.match(e?.remediation ?? '', CMDLET);
  });
  test('--allow-sha1 accepts the real SHA-1 assertion, verified, with a warning', async () => {
    const r = await runCli(
      ['rstr', '-', '--now', 'auto', '--signing-cert', adfsCert(), '--allow-sha1'],
      adfs(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /assertion signature verified/);
    assert.match(r.stderr, /warning: .*RSA-SHA1 .*accepted only because of --allow-sha1/);
    const j = await runCli(
      ['rstr', '-', '--now', 'auto', '--signing-cert', adfsCert(), '--allow-sha1', '--json'],
      adfs(),
    );
    const out = JSON.parse(j.stdout) as RstrJson;
    assert.equal(out.signatureVerified, true);
    assert.equal(out.warnings[0]?.code, 'PSSO_WARN_SAML_SHA1');
  });
  test('stdin larger than 1 MiB is a usage error (exit 2)', async () => {
    const r = await runCli(['rstr', '-'], ' '.repeat(1024 * 1024 + 1));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /stdin is larger than/);
  });
  test('a --signing-cert file without a certificate is a usage error', async () => {
    const r = await runCli(['rstr', '-', '--signing-cert', file('empty.pem', 'nothing')], '<a/>');
    assert.equal(r.code, 2);
  });
});

describe('psso-wstrust rstr --signing-cert on a response the reference IdP issued', () => {
  let idp: TestIdp;
  let saved: string;
  let messageId: string;
  before(async () => {
    idp = await startTestIdp();
    const endpoint = endpointOf(idp, '1.3');
    const rst = buildRequestSecurityToken({
      endpoint,
      appliesTo: URN,
      username: idp.demoUser.upn,
      password: idp.password,
    });
    messageId = rst.messageId;
    saved = file(
      'idp.rstr.xml',
      (await securityTokenRequest(endpoint, rst, { ca: idp.caPem })).body,
    );
  });
  after(() => idp.close());
  test("the IdP's token-signing certificate verifies it: RSA-SHA256, no warning", async () => {
    const r = await runCli([
      'rstr',
      saved,
      '--message-id',
      messageId,
      '--signing-cert',
      idp.signingCertFile,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as RstrJson;
    assert.equal(out.signatureVerified, true);
    assert.equal(out.assertion.signature.algorithmName, 'RSA-SHA256');
    assert.deepEqual(out.warnings, []);
  });
  test('another certificate (repeatable flag, none matching): PSSO_ERR_SAML_SIGNATURE', async () => {
    const stranger = await makeSigningMaterial('CN=not the IdP');
    const r = await runCli([
      'rstr',
      saved,
      '--signing-cert',
      file('stranger.pem', stranger.certificatePem),
      '--signing-cert',
      file('stranger2.pem', stranger.certificatePem),
      '--json',
    ]);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stdout) as RstrJson).error?.code, 'PSSO_ERR_SAML_SIGNATURE');
  });
  test('read from stdin too, and the IdP certificate among others is enough', async () => {
    const stranger = await makeSigningMaterial('CN=not the IdP either');
    const { readFileSync } = await import('node:fs');
    const r = await runCli(
      [
        'rstr',
        '-',
        '--signing-cert',
        file('stranger3.pem', stranger.certificatePem),
        '--signing-cert',
        idp.signingCertFile,
      ],
      readFileSync(saved, 'utf8'),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /assertion signature verified/);
  });
});
