/**
 * `POST /psso/user-keys` (in process): a registered device registers a Secure Enclave key for the
 * user signed in on it, proven by that user's live refresh token from this device, looked up
 * without being rotated. Nothing is recorded for a request that fails a check.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import {
  handleUserKeyRegistration,
  type UserKeyAnswer,
  type UserKeyRegistrationDeps,
} from '../../../packages/idp/src/psso/user-key-registration.ts';
import { IdpError } from '../../../packages/psso-wstrust/src/errors.ts';
import { buildUserKeyRequestJwt } from '../../../packages/psso-wstrust/src/psso/flow/user-key-register.ts';
import {
  type DeviceKeys,
  publicJwk,
} from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { generateUserSecureEnclaveKey } from '../../../packages/psso-wstrust/src/psso/keys/user-key.ts';
import { assertCode } from '../../helpers/assert-code.ts';
import {
  ALICE,
  type Bench,
  BOB,
  openBench,
  refreshTokenOf,
  requestForm,
  send,
} from './token-bench.ts';

const ENDPOINT = 'https://idp.test/psso/user-keys';
let b: Bench;
let deps: UserKeyRegistrationDeps;
let bobToken: string;

const withUserKey = (d: DeviceKeys): DeviceKeys => ({
  ...d,
  userSecureEnclaveKey: generateUserSecureEnclaveKey(),
});

before(async () => {
  b = await openBench();
  deps = {
    device: (kid) => b.core.devices.get(kid),
    nonces: b.deps.nonces,
    refreshTokens: b.deps.refreshTokens,
    user: (upn) => b.accounts.users.get(upn),
    addUserKey: (upn, jwk) => b.accounts.userKeys.add(upn, jwk),
    endpoint: () => ENDPOINT,
    clock: b.deps.clock,
    skewSeconds: 120,
  };
  const r = await requestForm(b, { password: BOB.password });
  bobToken = await refreshTokenOf(r, await send(b, r));
});
after(() => b.close());

async function register(
  o: { keys?: DeviceKeys; refreshToken?: string; serverNonce?: string; endpoint?: string } = {},
): Promise<{ answer: UserKeyAnswer; keys: DeviceKeys; body: { assertion: string } }> {
  const keys = o.keys ?? withUserKey(b.device);
  const body = {
    assertion: await buildUserKeyRequestJwt({
      keys,
      clientId: 'psso',
      endpoint: o.endpoint ?? ENDPOINT,
      serverNonce: o.serverNonce ?? b.deps.nonces.issue(),
      refreshToken: o.refreshToken ?? bobToken,
    }),
  };
  return { answer: await handleUserKeyRegistration(body, deps), keys, body };
}

function refused(a: UserKeyAnswer, outcome: string, status = 401): void {
  assert.equal(a.outcome, outcome, JSON.stringify(a.body));
  assert.equal(a.status, status);
}

describe('user key registration endpoint', () => {
  test('registers the key for the refresh token’s user; the token is not rotated', async () => {
    const { answer, keys } = await register();
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.body, { upn: BOB.upn, kid: keys.userSecureEnclaveKey?.kid });
    assert.equal(
      (await b.accounts.userKeys.get(keys.userSecureEnclaveKey?.kid as string))?.upn,
      BOB.upn,
    );
    // Still the live token of its family: a refresh with it works.
    const refresh = await requestForm(b, { refreshToken: bobToken });
    const rotated = await send(b, refresh);
    assert.equal(rotated.status, 200);
    bobToken = await refreshTokenOf(refresh, rotated);
  });

  test('attack: unauthenticated requests record nothing (no key, no spent nonce)', async () => {
    const before = (await b.accounts.userKeys.list()).length;
    const serverNonce = b.deps.nonces.issue();
    refused(await handleUserKeyRegistration({}, deps), 'no-jwt', 400);
    refused(await handleUserKeyRegistration({ assertion: 'x.y.z' }, deps), 'jwt-malformed', 400);
    // Signed by an unregistered device.
    const stranger = withUserKey({
      ...b.device,
      signing: withUserKey(b.device).userSecureEnclaveKey as DeviceKeys['signing'],
    });
    refused((await register({ keys: stranger, serverNonce })).answer, 'unknown-device');
    // A registered kid, another key's signature.
    const forged = await new SignJWT({ iss: 'psso', aud: ENDPOINT, request_nonce: serverNonce })
      .setProtectedHeader({
        typ: 'platformsso-user-key-request+jwt',
        alg: 'ES256',
        kid: b.device.signing.kid,
      })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    refused(await handleUserKeyRegistration({ assertion: forged }, deps), 'jwt-invalid');
    refused(
      (await register({ endpoint: 'https://idp.test/psso/token', serverNonce })).answer,
      'jwt-audience',
    );
    assert.equal((await b.accounts.userKeys.list()).length, before);
    // The nonce was never consumed: a good request can still use it.
    assert.equal((await register({ serverNonce })).answer.status, 201);
  });

  test('attack: a login JWT replayed as a registration: jwt-typ', async () => {
    const login = await requestForm(b, { password: BOB.password });
    refused(await handleUserKeyRegistration(login.form, deps), 'jwt-typ');
  });

  test('attack: a replayed registration: server-nonce-replayed', async () => {
    const { answer, body } = await register();
    assert.equal(answer.status, 201);
    refused(await handleUserKeyRegistration(body, deps), 'server-nonce-replayed');
  });

  test('attack: another device’s refresh token, or an unknown one: refused', async () => {
    refused((await register({ keys: withUserKey(b.other) })).answer, 'refresh-token-other-device');
    refused((await register({ refreshToken: 'not-a-token' })).answer, 'refresh-token-unknown');
  });

  test('a user key that is not a P-256 public key: 400 invalid-user-key', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const keys = withUserKey(b.device);
    const body = {
      assertion: await new SignJWT({
        iss: 'psso',
        aud: ENDPOINT,
        request_nonce: b.deps.nonces.issue(),
        refresh_token: bobToken,
        user_key: createPublicKey(p384.privateKey).export({ format: 'jwk' }),
      })
        .setProtectedHeader({
          typ: 'platformsso-user-key-request+jwt',
          alg: 'ES256',
          kid: keys.signing.kid,
        })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(keys.signing.privateKey),
    };
    refused(await handleUserKeyRegistration(body, deps), 'invalid-user-key', 400);
  });
});

describe('user key store', () => {
  test('one user per key; unknown users refused; keys go with their user', async () => {
    const key = generateUserSecureEnclaveKey();
    const jwk = publicJwk(key.publicKey);
    await assert.rejects(
      b.accounts.userKeys.add('nobody@managed.example', jwk),
      (e) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_USER_NOT_FOUND',
    );
    await b.accounts.userKeys.add(ALICE, jwk);
    assert.equal(
      (await b.accounts.userKeys.add(ALICE.toUpperCase(), jwk)).kid,
      key.kid,
      'idempotent',
    );
    const e = await assertCode(
      b.accounts.userKeys.add(BOB.upn, jwk),
      'PSSO_ERR_IDP_REGISTRATION_INVALID',
      IdpError,
    );
    assert.match(e.message, /another user/);
    await assertCode(
      b.accounts.userKeys.add(BOB.upn, { ...jwk, d: 'x' }),
      'PSSO_ERR_IDP_REGISTRATION_INVALID',
      IdpError,
    );
    assert.ok((await b.accounts.userKeys.list(ALICE)).some((k) => k.kid === key.kid));
    await b.accounts.users.remove(ALICE);
    assert.equal(await b.accounts.userKeys.get(key.kid), undefined);
    await assert.rejects(
      b.accounts.userKeys.remove(key.kid),
      (e) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_USER_NOT_FOUND',
    );
  });
});
