import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  loadLoginConfiguration,
  loginConfigurationToJSON,
  parseLoginConfiguration,
} from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { base, dynamic, wsTrust } from './fixtures.ts';

describe('loginConfigurationToJSON', () => {
  test('round trip JSON → config → JSON', () => {
    const json = {
      ...dynamic,
      federationMEXURL: 'https://sts.example.com/mex',
      nonceEndpointURL: 'https://idp.example.com/nonce',
      nonceResponseKeypath: 'nonce',
      serverNonceClaimName: 'request_nonce',
      additionalScopes: 'profile',
      customNonceRequestValues: [{ name: 'x-ak', value: '1' }],
      customLoginRequestValues: [{ name: 'a', value: 'b' }],
      customRequestJWTParameterName: 'request',
      customLoginRequestHeaderClaims: { typ: 'JWT' },
      customLoginRequestBodyClaims: { tenant: 't', list: [1, 'two', null, true] },
      invalidCredentialPredicate: "error == 'invalid_grant'",
      refreshEndpointURL: 'https://idp.example.com/refresh',
      customRefreshRequestValues: [],
      customFederationUserPreauthenticationRequestValues: [{ name: 'api-version', value: '1.0' }],
    };
    const out = loginConfigurationToJSON(parseLoginConfiguration(json));
    assert.deepEqual(out, json);
    assert.deepEqual(loginConfigurationToJSON(parseLoginConfiguration(out)), out);
  });

  test('numbers come back as names; unset fields are omitted', () => {
    const out = loginConfigurationToJSON(
      parseLoginConfiguration({ ...wsTrust, federationType: 1 }),
    );
    assert.equal(out.federationType, 'wsTrust');
    assert.equal('nonceEndpointURL' in out, false);
  });
});

describe('loadLoginConfiguration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psso-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('loads a file', async () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(wsTrust));
    assert.equal((await loadLoginConfiguration(path)).federationType, 'wsTrust');
  });

  test('passes the options through', async () => {
    const path = join(dir, 'http.json');
    writeFileSync(path, JSON.stringify({ ...base, tokenEndpointURL: 'http://127.0.0.1:1/t' }));
    await assert.rejects(loadLoginConfiguration(path), { code: 'PSSO_ERR_CONFIG_URL_INVALID' });
    await loadLoginConfiguration(path, { dangerouslyAllowHttpLoopback: true });
  });

  test('bad JSON is PSSO_ERR_CONFIG_JSON and is not quoted', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"clientID": "secret-value",');
    await assert.rejects(
      loadLoginConfiguration(path),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.code === 'PSSO_ERR_CONFIG_JSON' &&
        !e.message.includes('secret') &&
        e.cause === undefined,
    );
  });

  test('a missing file is PSSO_ERR_CONFIG_JSON', async () => {
    await assert.rejects(loadLoginConfiguration(join(dir, 'none.json')), {
      code: 'PSSO_ERR_CONFIG_JSON',
    });
  });
});
