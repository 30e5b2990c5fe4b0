import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { issueAssertion } from '../../packages/idp/src/saml/index.ts';
import { ADFS_BASE64, adfsSigningCertPem } from '../helpers/adfs-sha1.ts';
import { runCli } from '../helpers/cli.ts';
import { readInterop } from '../helpers/interop.ts';
import { response } from '../helpers/responses.ts';
import { makeSigningMaterial, testSigningMaterial } from '../helpers/signing.ts';
import { baseParams, NOW } from '../idp/saml/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'psso-cli-saml-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const key = await testSigningMaterial();
const stranger = await makeSigningMaterial('CN=stranger');
const RECIPIENT = 'https://idp.example.com/psso/token';
const URN = 'urn:federation:MicrosoftOnline';
const xml20 = issueAssertion(baseParams('2.0', { recipient: RECIPIENT }), key);
const cert = file('idp.pem', key.certificatePem);
const at = new Date(NOW.getTime() + 60_000).toISOString();
const full = [
  '--audience',
  URN,
  '--recipient',
  RECIPIENT,
  '--signing-cert',
  cert,
  '--now',
  at,
  '--json',
];
const wrapped = (xml: string) =>
  (
    Buffer.from(xml, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');

interface SamlJson {
  input: string;
  verdict: string;
  valid: boolean;
  now: { at: string; source: string };
  assertion: { issuer: string; signature: { algorithm: string } };
  rules: Array<{
    id: string;
    status: string;
    code?: string;
    algorithm?: string;
    remediation?: string;
    warning?: string;
  }>;
  warnings: Array<{ code: string }>;
  error?: { code: string };
}
const parse = (stdout: string) => JSON.parse(stdout) as SamlJson;
const failed = (out: SamlJson) =>
  out.rules.filter((r) => r.status === 'fail').map((r) => [r.id, r.code]);

describe('psso-wstrust saml FILE|- (a bare assertion, RFC 7522 rules)', () => {
  test('XML file: every rule passes, exit 0', async () => {
    const r = await runCli(['saml', file('a.xml', xml20), ...full]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = parse(r.stdout);
    assert.equal(out.input, 'xml');
    assert.equal(out.verdict, 'valid');
    assert.ok(out.rules.every((x) => x.status === 'pass'));
  });
  test('base64 with line breaks on stdin: decoded, valid', async () => {
    const r = await runCli(['saml', '-', ...full], `${wrapped(xml20)}\n`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(parse(r.stdout).input, 'base64');
  });
  test('readable output lists every rule and the verdict', async () => {
    const r = await runCli(['saml', file('b.xml', xml20), ...full.slice(0, -1)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /input: +XML/);
    assert.match(r.stdout, /PASS +saml\.signature/);
    assert.match(r.stdout, /PASS +saml\.recipient/);
    assert.match(r.stdout, /✓ valid: every RFC 7522 rule passes/);
  });
  test('wrong audience: saml.audience fails with PSSO_ERR_SAML_AUDIENCE, exit 1', async () => {
    const args = full.map((a) => (a === URN ? 'urn:someone-else' : a));
    const r = await runCli(['saml', file('c.xml', xml20), ...args]);
    assert.equal(r.code, 1);
    assert.deepEqual(failed(parse(r.stdout)), [['saml.audience', 'PSSO_ERR_SAML_AUDIENCE']]);
  });
  test('wrong recipient: saml.recipient fails with PSSO_ERR_SAML_RECIPIENT', async () => {
    const args = full.map((a) => (a === RECIPIENT ? 'https://elsewhere.example/token' : a));
    const r = await runCli(['saml', file('d.xml', xml20), ...args]);
    assert.equal(r.code, 1);
    assert.deepEqual(failed(parse(r.stdout)), [['saml.recipient', 'PSSO_ERR_SAML_RECIPIENT']]);
  });
  test('expired: saml.conditions (and the confirmation) fail with PSSO_ERR_SAML_CONDITIONS', async () => {
    const later = new Date(NOW.getTime() + 2 * 3600_000).toISOString();
    const r = await runCli([
      'saml',
      file('e.xml', xml20),
      ...full.map((a) => (a === at ? later : a)),
    ]);
    assert.equal(r.code, 1);
    const out = parse(r.stdout);
    assert.deepEqual(failed(out)[0], ['saml.conditions', 'PSSO_ERR_SAML_CONDITIONS']);
  });
  test('wrong certificate: saml.signature fails with PSSO_ERR_SAML_SIGNATURE', async () => {
    const other = file('stranger.pem', stranger.certificatePem);
    const r = await runCli([
      'saml',
      file('f.xml', xml20),
      ...full.map((a) => (a === cert ? other : a)),
    ]);
    assert.equal(r.code, 1);
    assert.deepEqual(failed(parse(r.stdout)), [['saml.signature', 'PSSO_ERR_SAML_SIGNATURE']]);
  });
  test('without --signing-cert the signature is "not verified" and the assertion is not valid (exit 1)', async () => {
    const r = await runCli([
      'saml',
      file('g.xml', xml20),
      '--audience',
      URN,
      '--recipient',
      RECIPIENT,
      '--now',
      at,
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /NOT CHECKED +saml\.signature +not verified: no token-signing certificate given/,
    );
    assert.match(r.stdout, /\? not validated: saml\.signature not checked/);
  });
  test('a SOAP envelope is a usage error pointing at rstr', async () => {
    const r = await runCli(['saml', file('env.xml', response())]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /use psso-wstrust rstr/);
  });
  test('neither XML nor base64: PSSO_ERR_SAML_MALFORMED', async () => {
    const r = await runCli(['saml', '-', '--json'], 'not base64 at all!');
    assert.equal(r.code, 1);
    assert.equal(parse(r.stdout).error?.code, 'PSSO_ERR_SAML_MALFORMED');
  });
});

describe('psso-wstrust saml on the real AD FS RSA-SHA1 assertion', () => {
  const b64 = () => readInterop(ADFS_BASE64).toString('ascii');
  const adfsArgs = () => [
    '--audience',
    URN,
    '--now',
    'auto',
    '--signing-cert',
    file('adfs.pem', adfsSigningCertPem()),
  ];
  test('refused: the algorithm and the relying-party setting, in text', async () => {
    const r = await runCli(['saml', '-', ...adfsArgs()], b64());
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /FAIL +saml\.signature +PSSO_ERR_SAML_SIGNATURE: the signature algorithm is RSA-SHA1/,
    );
    assert.match(r.stdout, /algorithm: http:\/\/www\.w3\.org\/2000\/09\/xmldsig#rsa-sha1/);
    assert.match(
      r.stdout,
      /remediation: On AD FS.*Set-AdfsRelyingPartyTrust .*-SignatureAlgorithm 'http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256'/,
    );
    assert.match(
      r.stdout,
      /as of 2014-01-27T08:15:45\.003Z \(--now auto: the assertion's own IssueInstant\)/,
    );
  });
  test('refused: the same in --json', async () => {
    const r = await runCli(['saml', '-', ...adfsArgs(), '--json'], b64());
    assert.equal(r.code, 1);
    const sig = parse(r.stdout).rules.find((x) => x.id === 'saml.signature');
    assert.equal(sig?.code, 'PSSO_ERR_SAML_SIGNATURE');
    assert.equal(sig?.algorithm, 'http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    assert.match(sig?.remediation ?? '', /Set-AdfsRelyingPartyTrust/);
  });
  test('--allow-sha1: valid, with a warning on stderr and in --json', async () => {
    const r = await runCli(['saml', '-', ...adfsArgs(), '--allow-sha1'], b64());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /warning: .*RSA-SHA1.*--allow-sha1/);
    const j = await runCli(['saml', '-', ...adfsArgs(), '--allow-sha1', '--json'], b64());
    const out = parse(j.stdout);
    assert.equal(out.verdict, 'valid');
    assert.deepEqual(out.now, { at: '2014-01-27T08:15:45.003Z', source: 'auto' });
    assert.deepEqual(
      out.warnings.map((w) => w.code),
      ['PSSO_WARN_SAML_SHA1'],
    );
    assert.match(out.rules[0]?.warning ?? '', /RSA-SHA1 accepted/);
  });
});
