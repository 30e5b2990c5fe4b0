/**
 * Platform SSO 2.0 key request and key exchange against a running reference IdP (docs/PLATFORM-SSO.md
 * §3.11): login → key request (a P-256 certificate, a key_context) → key exchange → the client
 * recomputes the exchanged key and it matches. Through the library, then through the CLI
 * (`psso login`, `psso key-request`, `psso key-exchange`).
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LoginError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import {
  pssoKeyExchange,
  pssoKeyRequest,
} from '../../packages/psso-wstrust/src/psso/flow/key-request.ts';
import { pssoLogin } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import {
  generateDeviceKeys,
  loadOrCreateDeviceKeys,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { runCli } from '../helpers/cli.ts';
import { enrol, startTestIdp, type TestIdp, tempDataDir } from './support.ts';

const keys = generateDeviceKeys();
const USER = { upn: 'erin@managed.example', password: 'erin pw' };
let idp: TestIdp;

const configJson = () => ({
  clientID: 'psso',
  issuer: idp.origin,
  tokenEndpointURL: `${idp.origin}/psso/token`,
  jwksEndpointURL: `${idp.origin}/psso/jwks`,
  nonceEndpointURL: `${idp.origin}/psso/nonce`,
  keyEndpointURL: `${idp.origin}/psso/token`,
  invalidCredentialPredicate:
    "error = 'invalid_grant' AND suberror != 'device_authentication_failed'",
});

before(async () => {
  idp = await startTestIdp();
  await enrol(idp.dataDir, keys, USER);
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

describe('key request and key exchange against the reference IdP', () => {
  const http = () => ({ ca: idp.caPem });
  test('login → key request → key exchange: the exchanged key is verified', async () => {
    const config = resolveLoginConfiguration(parseLoginConfiguration(configJson()));
    const login = await pssoLogin({
      config,
      username: USER.upn,
      password: USER.password,
      keys,
      http: http(),
    });
    const refreshToken = login.response.refreshToken;
    const req = await pssoKeyRequest({
      config,
      keys,
      username: USER.upn,
      refreshToken,
      http: http(),
    });
    assert.deepEqual(
      req.steps.map((s) => s.step),
      ['nonce', 'key_request'],
    );
    assert.equal(req.certificate.subject, `CN=${USER.upn}`);
    const ex = await pssoKeyExchange({
      config,
      keys,
      username: USER.upn,
      refreshToken,
      certificate: req.certificate,
      keyContext: req.keyContext,
      http: http(),
    });
    assert.equal(ex.verified, true);
    assert.equal(ex.key.length, 32);
    // Another user's name with this session's refresh token is refused.
    await assert.rejects(
      pssoKeyRequest({
        config,
        keys,
        username: 'someone@managed.example',
        refreshToken,
        http: http(),
      }),
      (e: unknown) =>
        e instanceof LoginError && e.code === 'PSSO_ERR_KEY_RESPONSE_STATUS' && e.status === 401,
    );
  });

  test('CLI: psso login, psso key-request (unlock-key.json 0600), psso key-exchange → verified: yes', async () => {
    const files = tempDataDir();
    const cfg = join(files, 'config.json');
    writeFileSync(cfg, JSON.stringify(configJson()));
    const keyFile = join(files, 'keys', 'device-keys.json');
    const cliKeys = await loadOrCreateDeviceKeys(keyFile);
    await enrol(idp.dataDir, cliKeys);
    const common = ['--config', cfg, '--keys', keyFile, '--ca', idp.caFile];
    const login = await runCli(
      ['psso', 'login', ...common, '--username', USER.upn, '--password-stdin'],
      USER.password,
    );
    assert.equal(login.code, 0, login.stdout + login.stderr);
    const request = await runCli([
      'psso',
      'key-request',
      ...common,
      '--username',
      USER.upn,
      '--json',
    ]);
    assert.equal(request.code, 0, request.stdout + request.stderr);
    const out = JSON.parse(request.stdout) as {
      keyContext: string;
      certificate: { subject: string };
    };
    assert.equal(out.keyContext, '[redacted]');
    assert.equal(out.certificate.subject, `CN=${USER.upn}`);
    const unlockFile = join(files, 'keys', 'unlock-key.json');
    assert.equal(statSync(unlockFile).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(unlockFile, 'utf8')) as { keyContext: string };
    assert.ok(!request.stdout.includes(saved.keyContext));
    const exchange = await runCli(['psso', 'key-exchange', ...common]);
    assert.equal(exchange.code, 0, exchange.stdout + exchange.stderr);
    assert.equal(exchange.stdout, 'verified: yes\n');
    const shown = await runCli(['psso', 'key-exchange', ...common, '--show-key', '--json']);
    assert.equal(shown.code, 0, shown.stdout + shown.stderr);
    const j = JSON.parse(shown.stdout) as { verified: boolean; key: string };
    assert.equal(j.verified, true);
    assert.match(j.key, /^[A-Za-z0-9+/]{43}=$/);
  });
});
