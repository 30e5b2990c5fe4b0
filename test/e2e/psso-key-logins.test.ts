/**
 * Secure Enclave key and SmartCard logins (§3.9) against a real reference IdP: the user key
 * registered through `POST /psso/user-keys` (library and `psso user-key register`) and through
 * `idp user key add`; SmartCard logins with RSA-2048, P-256 and P-384 certificates from a CA the
 * IdP was told to trust with `idp smartcard-ca add`. Certificates are made here, never committed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LoginError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import { pssoLogin } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import { registerUserKey } from '../../packages/psso-wstrust/src/psso/flow/user-key-register.ts';
import {
  generateDeviceKeys,
  loadOrCreateDeviceKeys,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { generateUserSecureEnclaveKey } from '../../packages/psso-wstrust/src/psso/keys/user-key.ts';
import { runCli } from '../helpers/cli.ts';
import { makeCa, makeCard, type TestCa } from '../helpers/smartcard.ts';
import { enrol, startTestIdp, type TestIdp, tempDataDir } from './support.ts';

const ERIN = { upn: 'erin@managed.example', password: 'erin pw' };
const FRANK = { upn: 'frank@managed.example', password: 'frank pw' };
let idp: TestIdp;
let files = '';
let ca: TestCa;

type Method = 'password' | 'userSecureEnclaveKey' | 'smartCard';
const configJson = (authenticationMethod: Method) => ({
  clientID: 'psso',
  issuer: idp.origin,
  tokenEndpointURL: `${idp.origin}/psso/token`,
  jwksEndpointURL: `${idp.origin}/psso/jwks`,
  nonceEndpointURL: `${idp.origin}/psso/nonce`,
  authenticationMethod,
});
const config = (m: Method) => resolveLoginConfiguration(parseLoginConfiguration(configJson(m)));
const http = () => ({ ca: idp.caPem });

before(async () => {
  idp = await startTestIdp();
  files = tempDataDir();
  ca = await makeCa('CN=e2e SmartCard CA');
  const caFile = join(files, 'ca.pem');
  writeFileSync(caFile, ca.pem);
  const added = await runCli([
    'idp',
    'smartcard-ca',
    'add',
    caFile,
    '--data',
    idp.dataDir,
    '--json',
  ]);
  assert.equal(added.code, 0, added.stderr);
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

describe('Secure Enclave key login', () => {
  test('register the user key via the endpoint after a password login, then log in without a password', async () => {
    const keys = { ...generateDeviceKeys(), userSecureEnclaveKey: generateUserSecureEnclaveKey() };
    await enrol(idp.dataDir, keys, ERIN);
    // Before registration the key is unknown to the IdP: a credential refusal.
    await assert.rejects(
      pssoLogin({ config: config('userSecureEnclaveKey'), username: ERIN.upn, keys, http: http() }),
      (e) => e instanceof LoginError && e.code === 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS',
    );
    const first = await pssoLogin({
      config: config('password'),
      username: ERIN.upn,
      password: ERIN.password,
      keys,
      http: http(),
    });
    const r = await registerUserKey({
      config: config('password'),
      keys,
      refreshToken: first.response.refreshToken,
      http: http(),
    });
    assert.deepEqual(r, { upn: ERIN.upn, kid: keys.userSecureEnclaveKey.kid });
    const se = await pssoLogin({
      config: config('userSecureEnclaveKey'),
      username: ERIN.upn,
      keys,
      http: http(),
    });
    assert.equal(se.idTokenClaims.sub, ERIN.upn);
    assert.deepEqual(
      se.steps.map((s) => s.step),
      ['nonce', 'login'],
    );
  });

  test('CLI: psso user-key register after psso login; then psso login with no password', async () => {
    const keyFile = join(files, 'cli', 'device-keys.json');
    await enrol(idp.dataDir, await loadOrCreateDeviceKeys(keyFile), FRANK);
    const pw = join(files, 'password.json');
    const se = join(files, 'se.json');
    writeFileSync(pw, JSON.stringify(configJson('password')));
    writeFileSync(se, JSON.stringify(configJson('userSecureEnclaveKey')));
    const common = ['--keys', keyFile, '--ca', idp.caFile, '--json'];
    const login = await runCli(
      ['psso', 'login', '--config', pw, '--username', FRANK.upn, '--password-stdin', ...common],
      FRANK.password,
    );
    assert.equal(login.code, 0, login.stderr);
    const reg = await runCli(['psso', 'user-key', 'register', '--config', pw, ...common]);
    assert.equal(reg.code, 0, reg.stderr);
    const registered = JSON.parse(reg.stdout) as { upn: string; kid: string; storage: string };
    assert.equal(registered.upn, FRANK.upn);
    assert.equal(registered.storage, 'software');
    // No stdin at all: a key login never reads a password.
    const keyLogin = await runCli([
      'psso',
      'login',
      '--config',
      se,
      '--username',
      FRANK.upn,
      ...common,
    ]);
    assert.equal(keyLogin.code, 0, keyLogin.stderr);
    assert.equal((JSON.parse(keyLogin.stdout) as { sub: string }).sub, FRANK.upn);
    const list = await runCli([
      'idp',
      'user',
      'key',
      'list',
      '--user',
      FRANK.upn,
      '--data',
      idp.dataDir,
      '--json',
    ]);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { keys: { kid: string }[] }).keys.map((k) => k.kid),
      [registered.kid],
    );
  });

  test('CLI: idp user key add --keys FILE registers the key an administrator was given', async () => {
    const keyFile = join(files, 'admin', 'device-keys.json');
    const device = await loadOrCreateDeviceKeys(keyFile);
    await enrol(idp.dataDir, device, ERIN);
    const { addUserSecureEnclaveKey } = await import(
      '../../packages/psso-wstrust/src/psso/keys/user-key.ts'
    );
    const keys = await addUserSecureEnclaveKey(keyFile);
    const add = await runCli([
      'idp',
      'user',
      'key',
      'add',
      '--user',
      ERIN.upn,
      '--keys',
      keyFile,
      '--data',
      idp.dataDir,
      '--json',
    ]);
    assert.equal(add.code, 0, add.stderr);
    const r = await pssoLogin({
      config: config('userSecureEnclaveKey'),
      username: ERIN.upn,
      keys,
      http: http(),
    });
    assert.equal(r.idTokenClaims.sub, ERIN.upn);
    const removed = await runCli([
      'idp',
      'user',
      'key',
      'remove',
      keys.userSecureEnclaveKey.kid,
      '--data',
      idp.dataDir,
    ]);
    assert.equal(removed.code, 0, removed.stderr);
    await assert.rejects(
      pssoLogin({ config: config('userSecureEnclaveKey'), username: ERIN.upn, keys, http: http() }),
      (e) => e instanceof LoginError && e.code === 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS',
    );
  });
});

describe('SmartCard login', () => {
  const keys = generateDeviceKeys();
  before(async () => {
    await enrol(idp.dataDir, keys, ERIN);
  });
  for (const kind of ['rsa2048', 'p256', 'p384'] as const) {
    test(`${kind} certificate from the trusted CA, mapped by UPN`, async () => {
      const { credential } = await makeCard(ca, { kind, upn: ERIN.upn });
      const r = await pssoLogin({
        config: config('smartCard'),
        username: ERIN.upn,
        keys,
        smartCard: credential,
        http: http(),
      });
      assert.equal(r.idTokenClaims.sub, ERIN.upn);
    });
  }
  test('a certificate from an untrusted CA is a credential refusal', async () => {
    const rogue = await makeCa('CN=e2e SmartCard CA');
    const { credential } = await makeCard(rogue, { upn: ERIN.upn });
    await assert.rejects(
      pssoLogin({
        config: config('smartCard'),
        username: ERIN.upn,
        keys,
        smartCard: credential,
        http: http(),
      }),
      (e) => e instanceof LoginError && e.code === 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS',
    );
  });
  test('CLI: psso login --smartcard-key --smartcard-cert', async () => {
    const keyFile = join(files, 'card', 'device-keys.json');
    await enrol(idp.dataDir, await loadOrCreateDeviceKeys(keyFile), ERIN);
    const card = await makeCard(ca, { kind: 'p384', upn: ERIN.upn });
    const cardKey = join(files, 'card.key.pem');
    const cardCert = join(files, 'card.crt.pem');
    writeFileSync(cardKey, card.keyPem, { mode: 0o600 });
    writeFileSync(cardCert, card.chainPem);
    const cfg = join(files, 'smartcard.json');
    writeFileSync(cfg, JSON.stringify(configJson('smartCard')));
    const args = [
      'psso',
      'login',
      '--config',
      cfg,
      '--username',
      ERIN.upn,
      '--keys',
      keyFile,
      '--ca',
      idp.caFile,
      '--json',
    ];
    const missing = await runCli(args);
    assert.equal(missing.code, 2, 'the SmartCard files are required');
    const r = await runCli([...args, '--smartcard-key', cardKey, '--smartcard-cert', cardCert]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { sub: string }).sub, ERIN.upn);
  });
});

describe('idp smartcard-ca', () => {
  test('list, refuse a non-CA certificate, remove', async () => {
    const list = await runCli(['idp', 'smartcard-ca', 'list', '--data', idp.dataDir, '--json']);
    const cas = (JSON.parse(list.stdout) as { cas: { fingerprint: string; subject: string }[] })
      .cas;
    assert.ok(cas.some((c) => c.subject.includes('e2e SmartCard CA')));
    const leafFile = join(files, 'leaf.pem');
    writeFileSync(leafFile, (await makeCard(ca, { upn: ERIN.upn })).leafPem);
    const refused = await runCli(['idp', 'smartcard-ca', 'add', leafFile, '--data', idp.dataDir]);
    assert.equal(refused.code, 2, 'a leaf certificate is not a CA');
    const other = await makeCa('CN=removable CA');
    const otherFile = join(files, 'other-ca.pem');
    writeFileSync(otherFile, other.pem);
    const added = await runCli([
      'idp',
      'smartcard-ca',
      'add',
      otherFile,
      '--data',
      idp.dataDir,
      '--json',
    ]);
    const fp = (JSON.parse(added.stdout) as { ca: { fingerprint: string } }).ca.fingerprint;
    const removed = await runCli(['idp', 'smartcard-ca', 'remove', fp, '--data', idp.dataDir]);
    assert.equal(removed.code, 0, removed.stderr);
    const again = await runCli(['idp', 'smartcard-ca', 'remove', fp, '--data', idp.dataDir]);
    assert.equal(again.code, 1);
  });
});
