import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { SAML2_URN, startTestIdp, type TestIdp, URN } from './support.ts';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

const cli = runCli;

describe('psso-wstrust login against the reference IdP', () => {
  for (const version of ['1.3', '2005'] as const) {
    for (const profile of ['macos', 'wss11'] as const) {
      for (const [saml, urn] of [
        ['1.1', URN],
        ['2.0', SAML2_URN],
      ] as const) {
        test(`--version ${version} --profile ${profile}, SAML ${saml}`, async () => {
          const endpoint = version === '1.3' ? idp.sts13Url : idp.sts2005Url;
          const r = await cli(
            [
              'login',
              '--endpoint',
              endpoint,
              '--version',
              version,
              '--urn',
              urn,
              '--username',
              idp.demoUser.upn,
              '--password-stdin',
              '--ca',
              idp.caFile,
              '--signing-cert',
              idp.signingCertFile,
              '--profile',
              profile,
              '--json',
            ],
            idp.password,
          );
          assert.equal(r.code, 0, r.stdout + r.stderr);
          const out = JSON.parse(r.stdout) as {
            endpoint: { version: string };
            token: { samlVersion: string };
          };
          assert.equal(out.endpoint.version, version);
          assert.equal(out.token.samlVersion, saml);
          assert.ok(!(r.stdout + r.stderr).includes(idp.password), 'the password is never printed');
        });
      }
    }
  }
  test('through MEX, readable output shows each step', async () => {
    const r = await cli(
      [
        'login',
        '--mex',
        idp.mexUrl,
        '--urn',
        URN,
        '--username',
        idp.demoUser.upn,
        '--password-stdin',
        '--ca',
        idp.caFile,
      ],
      idp.password,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /MEX: 2 username\/password endpoint/);
    assert.match(r.stdout, /grant_type: urn:ietf:params:oauth:grant-type:saml1_1-bearer/);
  });
  test('a wrong password exits 1 with PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION', async () => {
    const r = await cli(
      [
        'login',
        '--mex',
        idp.mexUrl,
        '--urn',
        URN,
        '--username',
        idp.demoUser.upn,
        '--password-stdin',
        '--ca',
        idp.caFile,
        '--json',
      ],
      'wrong',
    );
    assert.equal(r.code, 1);
    assert.equal(
      (JSON.parse(r.stdout) as { error: { code: string } }).error.code,
      'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION',
    );
  });
  test('both --mex and --endpoint is a usage error', async () => {
    const r = await cli(
      [
        'login',
        '--mex',
        idp.mexUrl,
        '--endpoint',
        idp.sts13Url,
        '--version',
        '1.3',
        '--urn',
        URN,
        '--username',
        'u',
        '--password-stdin',
      ],
      'x',
    );
    assert.equal(r.code, 2);
  });
});
