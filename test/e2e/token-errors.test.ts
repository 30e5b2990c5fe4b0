import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LoginError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import { pssoLogin } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import {
  type DeviceKeys,
  generateDeviceKeys,
  loadOrCreateDeviceKeys,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { runCli } from '../helpers/cli.ts';
import { enrol, SAML2_URN, startTestIdp, type TestIdp, tempDataDir, URN } from './support.ts';

const PREDICATE = "error = 'invalid_grant' AND suberror != 'device_authentication_failed'";
const keys = generateDeviceKeys();
let idp: TestIdp;
let unsignedIdp: TestIdp;

function configJson(server: TestIdp, o: { clientID?: string; urn?: string } = {}) {
  return {
    clientID: o.clientID ?? 'psso',
    issuer: server.origin,
    tokenEndpointURL: `${server.origin}/psso/token`,
    jwksEndpointURL: `${server.origin}/psso/jwks`,
    nonceEndpointURL: `${server.origin}/psso/nonce`,
    federationType: 'wsTrust',
    federationMEXURL: server.mexUrl,
    federationRequestURN: o.urn ?? URN,
    invalidCredentialPredicate: PREDICATE,
  };
}

async function refusal(
  server: TestIdp,
  o: { clientID?: string; urn?: string; keys?: DeviceKeys; password?: string } = {},
): Promise<LoginError> {
  const error = await pssoLogin({
    config: resolveLoginConfiguration(parseLoginConfiguration(configJson(server, o))),
    username: server.demoUser.upn,
    password: o.password ?? server.password,
    keys: o.keys ?? keys,
    http: { ca: server.caPem },
  }).then(
    () => assert.fail('the login succeeded'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof LoginError, String(error));
  return error;
}

before(async () => {
  idp = await startTestIdp();
  unsignedIdp = await startTestIdp({ faults: { unsigned: true } });
  await enrol(idp.dataDir, keys);
});
after(async () => {
  await idp.close();
  await unsignedIdp.close();
  await closeHttpAgents();
});

describe('a token endpoint refusal says what the server said and what the predicate made of it', () => {
  test('unknown device: suberror device_authentication_failed, not a credential error', async () => {
    const e = await refusal(idp, { keys: generateDeviceKeys() });
    assert.equal(e.code, 'PSSO_ERR_LOGIN_DEVICE_REJECTED');
    assert.equal(e.status, 401);
    assert.equal(e.error, 'invalid_grant');
    assert.equal(e.suberror, 'device_authentication_failed');
    assert.equal(e.errorDescription, 'The device is not registered (unknown kid).');
    assert.deepEqual(e.predicate, { expression: PREDICATE, matched: false, verdict: 'other' });
  });
  test('wrong client id: its own error_description', async () => {
    const e = await refusal(idp, { clientID: 'not-psso' });
    assert.equal(e.code, 'PSSO_ERR_LOGIN_DEVICE_REJECTED');
    assert.equal(e.suberror, 'device_authentication_failed');
    assert.equal(e.errorDescription, 'The request was made for another client_id.');
    assert.equal(e.predicate?.verdict, 'other');
  });
  test('audience mismatch (assertion for another relying party): a credential error that says why', async () => {
    const e = await refusal(idp, { urn: SAML2_URN });
    assert.equal(e.code, 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS');
    assert.equal(e.error, 'invalid_grant');
    assert.equal(e.suberror, undefined);
    assert.equal(e.errorDescription, 'The assertion audience is not this relying party.');
    assert.deepEqual(e.predicate, { expression: PREDICATE, matched: true, verdict: 'credentials' });
  });
  test('unsigned assertion: its own error_description', async () => {
    const e = await refusal(unsignedIdp);
    assert.equal(e.code, 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS');
    assert.equal(
      e.errorDescription,
      'The assertion is not signed by a trusted token-signing certificate.',
    );
    assert.equal(e.predicate?.matched, true);
  });
  test('the four read differently', async () => {
    const all = await Promise.all([
      refusal(idp, { keys: generateDeviceKeys() }),
      refusal(idp, { clientID: 'not-psso' }),
      refusal(idp, { urn: SAML2_URN }),
      refusal(unsignedIdp),
    ]);
    const shown = all.map((e) => `${e.code} ${e.error} ${e.suberror} ${e.errorDescription}`);
    assert.equal(new Set(shown).size, 4);
  });
  test('psso login in the CLI shows status, error, error_description, suberror and the verdict (text and --json)', async () => {
    const dir = tempDataDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify(configJson(idp)));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, idp.caPem);
    // A fresh key file: a device the IdP does not know.
    await loadOrCreateDeviceKeys(join(dir, 'keys.json'));
    const args = [
      'psso',
      'login',
      '--config',
      config,
      '--username',
      idp.demoUser.upn,
      '--password-stdin',
      '--ca',
      ca,
      '--keys',
      join(dir, 'keys.json'),
    ];
    const [text, json] = await Promise.all([
      runCli(args, `${idp.password}\n`),
      runCli([...args, '--json'], `${idp.password}\n`),
    ]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /PSSO_ERR_LOGIN_DEVICE_REJECTED/);
    assert.match(text.stderr, /status: 401/);
    assert.match(text.stderr, /error: invalid_grant/);
    assert.match(text.stderr, /error_description: The device is not registered/);
    assert.match(text.stderr, /suberror: device_authentication_failed/);
    assert.match(
      text.stderr,
      /invalidCredentialPredicate: .* → did not match: not a credential error/,
    );
    const e = (JSON.parse(json.stdout) as { error: Record<string, unknown> }).error;
    assert.equal(e.code, 'PSSO_ERR_LOGIN_DEVICE_REJECTED');
    assert.equal(e.status, 401);
    assert.equal(e.suberror, 'device_authentication_failed');
    assert.deepEqual(e.predicate, { expression: PREDICATE, matched: false, verdict: 'other' });
    assert.match(String(e.remediation), /device_authentication_failed/);
  });
});
