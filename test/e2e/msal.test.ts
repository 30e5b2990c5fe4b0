import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyAssertionSignature } from '../../packages/psso-wstrust/src/saml/verify.ts';
import { assertXmlsecVerifies, xmlsecSkip } from '../idp/saml/support.ts';
import { startTestIdp, type TestIdp, URN } from './support.ts';

const SCRIPT = fileURLToPath(new URL('./msal_client.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
const msalPresent = spawnSync(PYTHON, ['-c', 'import msal'], { encoding: 'utf8' }).status === 0;
const skip =
  msalPresent || process.env.CI === 'true'
    ? xmlsecSkip
    : {
        skip: 'python3-msal is not installed (apt-get install python3-msal): MSAL interop was NOT run',
      };

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(() => idp.close());

/** Runs msal in its own process (asynchronously: the IdP answers from this process). */
async function msal(username: string, password: string) {
  const child = spawn(PYTHON, [SCRIPT, idp.mexUrl, username, URN], {
    env: { ...process.env, REQUESTS_CA_BUNDLE: idp.caFile },
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  child.stdin.end(password);
  const [status] = (await once(child, 'close')) as [number | null];
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return {
    status,
    out: JSON.parse(line || '{}') as {
      endpoint?: { address: string; action: string };
      type?: string;
      token?: string;
      error?: string;
    },
    stderr,
  };
}

describe('interop: Microsoft MSAL for Python against the reference IdP', skip, () => {
  test('msal chooses our 1.3 usernamemixed endpoint and obtains an assertion that xmlsec1 and xml-crypto verify', async () => {
    const { status, out, stderr } = await msal(idp.demoUser.upn, idp.password);
    assert.equal(status, 0, stderr);
    assert.equal(out.endpoint?.address, idp.sts13Url);
    assert.equal(
      out.endpoint?.action,
      'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue',
    );
    assert.equal(out.type, 'urn:oasis:names:tc:SAML:1.0:assertion');
    const token = out.token ?? '';
    assertXmlsecVerifies(token, idp.signingCertPem, '1.1');
    assert.equal(verifyAssertionSignature(token, [idp.signingCertPem]).samlVersion, '1.1');
  });
  test('msal with a wrong password gets our FailedAuthentication fault', async () => {
    const { status, out } = await msal(idp.demoUser.upn, 'wrong');
    assert.equal(status, 1);
    assert.match(out.error ?? '', /FailedAuthentication/);
  });
});
