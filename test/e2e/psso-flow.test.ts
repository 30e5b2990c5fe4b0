import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openIdpState } from '../../packages/idp/src/state/open.ts';
import { LoginError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import { pssoLogin, pssoRefresh } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { runCli } from '../helpers/cli.ts';
import { enrol, startTestIdp, type TestIdp, tempDataDir } from './support.ts';

const keys = generateDeviceKeys();
const MANAGED = { upn: 'carol@managed.example', password: 'carol pw' };
let idp: TestIdp;
let files = '';

function configJson(type: 'wsTrust' | 'dynamicWSTrust') {
  return {
    clientID: 'psso',
    issuer: idp.origin,
    tokenEndpointURL: `${idp.origin}/psso/token`,
    jwksEndpointURL: `${idp.origin}/psso/jwks`,
    nonceEndpointURL: `${idp.origin}/psso/nonce`,
    federationType: type,
    federationRequestURN: 'urn:federation:MicrosoftOnline',
    invalidCredentialPredicate:
      "error = 'invalid_grant' AND suberror != 'device_authentication_failed'",
    ...(type === 'wsTrust'
      ? { federationMEXURL: idp.mexUrl }
      : {
          federationUserPreauthenticationURL: `${idp.origin}/common/UserRealm?api-version=1.0`,
          federationMEXURLKeypath: 'federation_metadata_url',
          federationPredicate: "account_type = 'Federated'",
        }),
  };
}
const config = (type: 'wsTrust' | 'dynamicWSTrust') =>
  resolveLoginConfiguration(parseLoginConfiguration(configJson(type)));

before(async () => {
  idp = await startTestIdp();
  files = tempDataDir();
  await enrol(idp.dataDir, keys, MANAGED);
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

describe('the Platform SSO login flow against the reference IdP', () => {
  const http = () => ({ ca: idp.caPem });
  test('static WS-Trust: nonce, WS-Trust, login → a verified id_token; then a refresh', async () => {
    const r = await pssoLogin({
      config: config('wsTrust'),
      username: idp.demoUser.upn,
      password: idp.password,
      keys,
      http: http(),
    });
    assert.equal(r.federated, true);
    assert.deepEqual(
      r.steps.map((s) => s.step),
      ['nonce', 'mex', 'wstrust', 'login'],
    );
    assert.equal(r.idTokenClaims.sub, idp.demoUser.upn);
    const again = await pssoRefresh({
      config: config('wsTrust'),
      keys,
      refreshToken: r.response.refreshToken,
      http: http(),
    });
    assert.equal(again.idTokenClaims.sub, idp.demoUser.upn);
  });
  test('dynamic WS-Trust: preauthentication finds the federated user', async () => {
    const r = await pssoLogin({
      config: config('dynamicWSTrust'),
      username: idp.demoUser.upn,
      password: idp.password,
      keys,
      http: http(),
    });
    assert.deepEqual(
      r.steps.map((s) => s.step),
      ['nonce', 'preauthentication', 'mex', 'wstrust', 'login'],
    );
  });
  test('dynamic WS-Trust: a managed user logs in with a password', async () => {
    const r = await pssoLogin({
      config: config('dynamicWSTrust'),
      username: MANAGED.upn,
      password: MANAGED.password,
      keys,
      http: http(),
    });
    assert.equal(r.federated, false);
    assert.deepEqual(
      r.steps.map((s) => s.step),
      ['nonce', 'preauthentication', 'login'],
    );
  });
  test('the JWKS is fetched once and cached (fetched again only for an unknown kid)', async () => {
    const jwksFetches = () =>
      idp.metrics
        .render()
        .match(/psso_idp_requests_total\{route="\/psso\/jwks",status="200"\} (\d+)/)?.[1] ?? '0';
    await pssoLogin({
      config: config('wsTrust'),
      username: idp.demoUser.upn,
      password: idp.password,
      keys,
      http: http(),
    });
    const before = jwksFetches();
    await pssoLogin({
      config: config('wsTrust'),
      username: idp.demoUser.upn,
      password: idp.password,
      keys,
      http: http(),
    });
    assert.equal(jwksFetches(), before);
  });
  test('removing a user revokes its refresh tokens', async () => {
    const dave = { upn: 'dave@managed.example', password: 'dave pw' };
    const store = await openIdpState({ dataDir: idp.dataDir });
    try {
      if ((await store.users.get(dave.upn)) === undefined)
        await store.users.add(dave.upn, dave.password);
    } finally {
      await store.close();
    }
    const r = await pssoLogin({
      config: config('dynamicWSTrust'),
      username: dave.upn,
      password: dave.password,
      keys,
      http: http(),
    });
    const again = await openIdpState({ dataDir: idp.dataDir });
    try {
      await again.users.remove(dave.upn);
    } finally {
      await again.close();
    }
    await assert.rejects(
      pssoRefresh({
        config: config('dynamicWSTrust'),
        keys,
        refreshToken: r.response.refreshToken,
        http: http(),
      }),
      (e) => e instanceof LoginError && e.status === 401,
    );
  });
  test('a wrong password is a credential error (the invalidCredentialPredicate matches)', async () => {
    await assert.rejects(
      pssoLogin({
        config: config('dynamicWSTrust'),
        username: MANAGED.upn,
        password: 'wrong',
        keys,
        http: http(),
      }),
      (e) =>
        e instanceof LoginError &&
        e.code === 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS' &&
        e.status === 401,
    );
  });
  test('an unregistered device is a device rejection, not a credential error', async () => {
    await assert.rejects(
      pssoLogin({
        config: config('dynamicWSTrust'),
        username: MANAGED.upn,
        password: MANAGED.password,
        keys: generateDeviceKeys(),
        http: http(),
      }),
      (e) =>
        e instanceof LoginError && e.code === 'PSSO_ERR_LOGIN_DEVICE_REJECTED' && e.status === 401,
    );
  });
});

describe('the CLI', () => {
  test('psso-wstrust demo: every run succeeds, exit 0', async () => {
    const r = await runCli(['demo', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      runs: Array<{ run: string; method: string; result: string; samlVersion?: string }>;
    };
    assert.equal(out.ok, true);
    assert.deepEqual(
      out.runs.map((x) => [x.run, x.method, x.result, x.samlVersion]),
      [
        ['password (managed)', 'password', 'ok', undefined],
        ['federated SAML 1.1', 'federated', 'ok', '1.1'],
        ['federated SAML 2.0', 'federated', 'ok', '2.0'],
        ['dynamic WS-Trust', 'federated', 'ok', '1.1'],
        ['encrypted password', 'encrypted-password', 'ok', undefined],
        ['Secure Enclave key', 'secure-enclave-key', 'ok', undefined],
        ['SmartCard', 'smartcard', 'ok', undefined],
        ['refresh', 'refresh', 'ok', undefined],
        ['key request', 'key-request', 'ok', undefined],
        ['key exchange', 'key-exchange', 'ok', undefined],
        ['HPKE login', 'hpke', 'ok', undefined],
      ],
    );
  });
  test('psso login then psso refresh with a configuration file; secrets redacted', async () => {
    const cfg = join(files, 'config.json');
    writeFileSync(cfg, JSON.stringify(configJson('wsTrust')));
    const keyFile = join(files, 'keys', 'device-keys.json');
    const reg = await runCli(
      [
        'psso',
        'login',
        '--config',
        cfg,
        '--username',
        idp.demoUser.upn,
        '--password-stdin',
        '--keys',
        keyFile,
        '--ca',
        idp.caFile,
        '--json',
      ],
      idp.password,
    );
    // No key file: login refuses to make one behind the user's back.
    assert.equal(reg.code, 1);
    assert.match(reg.stdout + reg.stderr, /PSSO_ERR_KEYS_MISSING/);
    const { loadOrCreateDeviceKeys } = await import(
      '../../packages/psso-wstrust/src/psso/keys/device-keys.ts'
    );
    const cliKeys = await loadOrCreateDeviceKeys(keyFile);
    const store = await openIdpState({ dataDir: idp.dataDir });
    try {
      await store.devices.add(
        'psso',
        publicJwk(cliKeys.signing.publicKey),
        publicJwk(cliKeys.encryption.publicKey),
      );
    } finally {
      await store.close();
    }
    // A session file someone loosened to 0644 is written 0600 again.
    const session = join(files, 'keys', 'session.json');
    writeFileSync(session, '{}');
    chmodSync(session, 0o644);
    const login = await runCli(
      [
        'psso',
        'login',
        '--config',
        cfg,
        '--username',
        idp.demoUser.upn,
        '--password-stdin',
        '--keys',
        keyFile,
        '--ca',
        idp.caFile,
        '--json',
      ],
      idp.password,
    );
    assert.equal(login.code, 0, login.stdout + login.stderr);
    const trace = JSON.parse(login.stdout) as {
      sub: string;
      idToken: string;
      steps: Array<{ step: string }>;
    };
    assert.equal(trace.sub, idp.demoUser.upn);
    assert.equal(trace.idToken, '[redacted]');
    assert.ok(!login.stdout.includes(idp.password));
    assert.equal(statSync(session).mode & 0o777, 0o600);
    const refresh = await runCli([
      'psso',
      'refresh',
      '--config',
      cfg,
      '--keys',
      keyFile,
      '--ca',
      idp.caFile,
      '--json',
    ]);
    assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
  });
});
