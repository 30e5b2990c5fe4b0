import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CliRun, runCli } from '../helpers/cli.ts';
import { mexDoc } from '../helpers/mex-doc.ts';
import { MESSAGE_ID, response } from '../helpers/responses.ts';
import { type StubSts, startStubSts } from '../helpers/stub-sts.ts';

const dir = mkdtempSync(join(tmpdir(), 'psso-cli-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const cli = runCli;
type Run = CliRun;

const json = (r: Run) => JSON.parse(r.stdout) as Record<string, unknown>;
const PASSWORD = 'p&ss<w0rd>$&"';

describe('psso-wstrust mex', () => {
  test('--json prints selected, usernamePassword and windowsIntegrated', async () => {
    const r = await cli(['mex', file('mex.xml', mexDoc({ windows: true })), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.deepEqual(out.selected, {
      version: '1.3',
      address: 'https://sts.example.com/adfs/services/trust/13/usernamemixed',
      soapAction: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue',
    });
    assert.equal((out.usernamePassword as unknown[]).length, 2);
    assert.equal((out.windowsIntegrated as unknown[]).length, 1);
  });
  test('readable output marks the selected endpoint', async () => {
    const r = await cli(['mex', file('mex2.xml', mexDoc())]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /13\/usernamemixed\s+→ selected/);
  });
  test('a MEX with no usable endpoint exits 1 with the code', async () => {
    const r = await cli(['mex', file('bad.xml', mexDoc({ policy: 'none' })), '--json']);
    assert.equal(r.code, 1);
    const error = json(r).error as Record<string, unknown>;
    assert.equal(error.code, 'PSSO_ERR_MEX_NO_USERNAME_POLICY');
    assert.equal(error.message, 'The MEX document has no username token policy');
    assert.match(String(error.remediation), /username\/password/);
    assert.match(String(error.adfs), /Enable-AdfsEndpoint/);
  });
  test('malformed XML exits 1 with line and column', async () => {
    const r = await cli(['mex', file('broken.xml', '<a>\n<b></a>')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /PSSO_ERR_XML_MALFORMED/);
    assert.match(r.stderr, /line: 2/);
  });
  test('a missing file is a usage error (exit 2)', async () => {
    assert.equal((await cli(['mex', join(dir, 'nope.xml')])).code, 2);
  });
});

describe('psso-wstrust rst', () => {
  const base = [
    'rst',
    '--endpoint',
    'https://sts.example.com/adfs/services/trust/2005/usernamemixed',
    '--version',
    '2005',
    '--urn',
    'urn:federation:MicrosoftOnline',
    '--username',
    'alice@example.com',
  ];
  test('prints the request with its SOAPAction, the password redacted', async () => {
    const r = await cli(base, `${PASSWORD}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^POST https:\/\/sts\.example\.com/);
    assert.match(
      r.stdout,
      /SOAPAction: http:\/\/docs\.oasis-open\.org\/ws-sx\/ws-trust\/200512\/RST\/Issue/,
    );
    assert.match(r.stdout, /<o:Password>\[password redacted\]<\/o:Password>/);
    assert.ok(!r.stdout.includes('p&amp;ss') && !r.stderr.includes('p&amp;ss'));
  });
  test('--json with the wss11 profile', async () => {
    const r = await cli([...base, '--profile', 'wss11', '--json'], PASSWORD);
    const out = json(r);
    assert.equal(out.soapAction, 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue');
    assert.match(String(out.messageId), /^urn:uuid:[0-9A-F-]{36}$/);
    assert.match(String(out.body), /#PasswordText">\[password redacted\]</);
  });
  test('PasswordDigest exits 1 with its code', async () => {
    const r = await cli([...base, '--password-type', 'PasswordDigest', '--json'], PASSWORD);
    assert.equal(r.code, 1);
    assert.equal(
      (json(r).error as { code: string }).code,
      'PSSO_ERR_RST_PASSWORD_DIGEST_UNSUPPORTED',
    );
  });
  test('a missing --urn is a usage error (exit 2)', async () => {
    assert.equal(
      (
        await cli(
          base.filter((a, i) => a !== '--urn' && base[i - 1] !== '--urn'),
          PASSWORD,
        )
      ).code,
      2,
    );
  });
});

describe('psso-wstrust rstr', () => {
  const saved = file('rstr.xml', response());
  test('--json prints the token fields with ISO dates', async () => {
    const r = await cli([
      'rstr',
      saved,
      '--now',
      '2026-11-29T10:00:30Z',
      '--message-id',
      MESSAGE_ID,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = json(r);
    assert.equal(out.grantType, 'urn:ietf:params:oauth:grant-type:saml1_1-bearer');
    assert.equal(out.created, '2026-11-29T10:00:00.000Z');
    assert.match((out.assertion as { xml: string }).xml, /^<saml:Assertion /);
  });
  test('the version is detected (2005)', async () => {
    const r = await cli([
      'rstr',
      file('r2005.xml', response({ version: '2005' })),
      '--now',
      '2026-11-29T10:00:30Z',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
  test('an expired response exits 1 with the code as JSON', async () => {
    const r = await cli(['rstr', saved, '--now', '2026-11-30T00:00:00Z', '--json']);
    assert.equal(r.code, 1);
    assert.equal((json(r).error as { code: string }).code, 'PSSO_ERR_WSTRUST_EXPIRED');
  });
  test('a bad --now is a usage error', async () => {
    assert.equal((await cli(['rstr', saved, '--now', 'yesterday'])).code, 2);
  });
});

describe('psso-wstrust login', () => {
  let sts: StubSts;
  let ca: string;
  before(async () => {
    sts = await startStubSts();
    ca = file('ca.pem', sts.caPem);
  });
  after(() => sts.close());
  test('the whole exchange, each step shown, password never printed', async () => {
    const r = await cli(
      [
        'login',
        '--mex',
        sts.mexUrl,
        '--urn',
        'urn:federation:MicrosoftOnline',
        '--username',
        'alice',
        '--password-stdin',
        '--ca',
        ca,
      ],
      PASSWORD,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /MEX: 2 username\/password endpoint/);
    assert.match(r.stderr, /WS-Trust 1\.3: response validated/);
    assert.match(r.stdout, /grant_type: urn:ietf:params:oauth:grant-type:saml1_1-bearer/);
    assert.ok(!(r.stdout + r.stderr).includes(PASSWORD));
  });
  test('--json gives endpoint, token and steps', async () => {
    const r = await cli(
      [
        'login',
        '--mex',
        sts.mexUrl,
        '--urn',
        'urn:federation:MicrosoftOnline',
        '--username',
        'alice',
        '--password-stdin',
        '--ca',
        ca,
        '--json',
      ],
      PASSWORD,
    );
    const out = json(r);
    assert.equal((out.endpoint as { version: string }).version, '1.3');
    assert.deepEqual(
      (out.steps as Array<{ step: string }>).map((s) => s.step),
      ['mex', 'wstrust'],
    );
  });
  test('without a terminal and without --password-stdin: usage error', async () => {
    const r = await cli(['login', '--mex', sts.mexUrl, '--urn', 'u', '--username', 'alice']);
    assert.equal(r.code, 2);
  });
  test('an untrusted certificate exits 1 with PSSO_ERR_HTTP_NETWORK', async () => {
    const r = await cli(
      [
        'login',
        '--mex',
        sts.mexUrl,
        '--urn',
        'u',
        '--username',
        'alice',
        '--password-stdin',
        '--json',
      ],
      PASSWORD,
    );
    assert.equal(r.code, 1);
    assert.equal((json(r).error as { code: string }).code, 'PSSO_ERR_HTTP_NETWORK');
  });
});

test('an unknown command is a usage error', async () => {
  assert.equal((await cli(['frobnicate'])).code, 2);
});
