/**
 * The reference IdP reads what a real Mac sends: the three request JWTs a macOS 14 Mac produced
 * (test/fixtures/real-mac, from twocanoes/psso-sdk-go) parse, their ES256 signatures verify with
 * the device key, and the password login passes every request-JWT shape check of the token
 * endpoint (typ, alg, kid lookup, signature, iss = client id, aud, exp/iat) under an injected
 * clock: the request is refused only at the LATER server-nonce step, whose sealed format the
 * fixture's `request_nonce` (minted by another server) cannot have.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { ServerNonces } from '../../../packages/idp/src/psso/server-nonce.ts';
import {
  handleTokenRequest,
  type TokenEndpointDeps,
} from '../../../packages/idp/src/psso/token.ts';
import { MemoryReplayCache } from '../../../packages/idp/src/state/memory/replay.ts';
import { consumedNonces } from '../../../packages/idp/src/state/nonces.ts';
import type { DeviceRecord } from '../../../packages/idp/src/state/records.ts';
import { keyId } from '../../../packages/psso-wstrust/src/jose/key-id.ts';

const FIXTURES = new URL('../../fixtures/real-mac/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8').trim();
const deviceKey = createPublicKey(fixture('device-signing-key.pem'));
const KID = 'f+RnKWrikksTQNgBuZhD8oMVRFVPBbpRSsrmybfvJC0=';
const AUD = 'https://idp.twocanoes.com/pesto/token';
const LOGIN_IAT = 1713997801;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const device: DeviceRecord = {
  clientId: 'psso',
  encryptionAlg: 'ECDH-ES',
  signingKid: KID,
  signingKey: deviceKey,
  encryptionKid: 'unused',
  encryptionKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
  createdAt: '2024-04-24T00:00:00Z',
};

/** Only what the steps up to the server nonce touch; the rest must not be reached. */
function deps(overrides: Partial<TokenEndpointDeps> = {}): TokenEndpointDeps {
  const clock = () => new Date((LOGIN_IAT + 10) * 1000);
  const unreachable = () => {
    throw new Error('a step after the server nonce was reached');
  };
  return {
    device: async (kid) => (kid === KID ? device : undefined),
    nonces: new ServerNonces({
      key: randomBytes(32),
      consumed: consumedNonces(new MemoryReplayCache()),
      clock,
    }),
    user: unreachable,
    passwords: {} as never,
    isFederated: unreachable,
    replay: new MemoryReplayCache(),
    refreshTokens: {} as never,
    idTokenKey: {} as never,
    saml: { trustedCertificates: [], trustedIssuers: () => [], audience: AUD },
    issuer: () => 'https://idp.twocanoes.com',
    endpoint: () => AUD,
    clock,
    skewSeconds: 120,
    ...overrides,
  };
}

const form = (jwt: string) => ({
  platform_sso_version: '1.0',
  grant_type: JWT_BEARER,
  assertion: jwt,
});

describe('real-Mac request JWTs', () => {
  test('the kid is the PSSO key id of the device key', () => {
    assert.equal(keyId(deviceKey), KID);
  });

  for (const [name, typ] of [
    ['password-login.jwt', 'platformsso-login-request+jwt'],
    ['key-request.jwt', 'platformsso-key-request+jwt'],
    ['key-exchange.jwt', 'platformsso-key-request+jwt'],
  ] as const) {
    test(`${name} parses and its ES256 signature verifies`, async () => {
      const jwt = fixture(name);
      assert.deepEqual(decodeProtectedHeader(jwt), { typ, alg: 'ES256', kid: KID });
      const { payload } = await compactVerify(jwt, deviceKey, { algorithms: ['ES256'] });
      const claims = JSON.parse(new TextDecoder().decode(payload));
      assert.equal(claims.iss, 'psso');
      assert.equal(claims.exp - claims.iat, 300);
      assert.deepEqual(Object.keys(claims.jwe_crypto), ['alg', 'enc', 'apv']);
      assert.deepEqual(decodeJwt(jwt), claims);
    });
  }

  test('a flipped signature bit fails (the verification is real)', async () => {
    const [h, p, s] = fixture('password-login.jwt').split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    sig[10] = (sig[10] ?? 0) ^ 1;
    await assert.rejects(
      compactVerify(`${h}.${p}.${sig.toString('base64url')}`, deviceKey, { algorithms: ['ES256'] }),
      { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
    );
  });
});

describe('the token endpoint accepts the real-Mac password login up to the server nonce', () => {
  const jwt = fixture('password-login.jwt');

  test('typ, alg, kid, signature, iss, aud, exp and iat pass; the foreign nonce is refused', async () => {
    const a = await handleTokenRequest(form(jwt), deps());
    assert.equal(a.outcome, 'server-nonce-malformed', a.detail);
    assert.equal(a.status, 401);
    assert.equal(JSON.parse(a.body).error, 'invalid_grant');
  });

  test('the same request is refused at the shape checks when they do not hold', async () => {
    const late = () => new Date((LOGIN_IAT + 300 + 121) * 1000);
    assert.equal(
      (await handleTokenRequest(form(jwt), deps({ clock: late }))).outcome,
      'jwt-invalid',
    );
    const early = () => new Date((LOGIN_IAT - 121) * 1000);
    assert.equal(
      (await handleTokenRequest(form(jwt), deps({ clock: early }))).outcome,
      'jwt-iat-future',
    );
    const other = () => 'https://idp.example.com/psso/token';
    assert.equal(
      (await handleTokenRequest(form(jwt), deps({ endpoint: other }))).outcome,
      'jwt-audience',
    );
    const unknown = async () => undefined;
    assert.equal(
      (await handleTokenRequest(form(jwt), deps({ device: unknown }))).outcome,
      'unknown-device',
    );
    const otherClient = async () => ({ ...device, clientId: 'other' });
    assert.equal(
      (await handleTokenRequest(form(jwt), deps({ device: otherClient }))).outcome,
      'jwt-client-id',
    );
  });
});
