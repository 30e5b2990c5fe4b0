/**
 * The key_request and key_exchange JWTs a real macOS 14 Mac produced (test/fixtures/real-mac,
 * see SOURCES.md) through the reference IdP's token endpoint, under an injected clock: their
 * signatures verify with the fixture device key, and their claims (no `aud`, `version` "1.0",
 * std-b64 `other_publickey`) pass the shape checks. The key_request is answered; the key_exchange
 * is refused at the key_context step (its key_context is std-b64 of a PEM an old twocanoes server
 * issued, not one of ours), which proves every check before it passed.
 */
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  checkKeyRequestClaims,
  otherPublicKey,
} from '../../../packages/idp/src/psso/key-request.ts';
import type { ServerNonces } from '../../../packages/idp/src/psso/server-nonce.ts';
import {
  handleTokenRequest,
  type TokenEndpointDeps,
} from '../../../packages/idp/src/psso/token.ts';
import type { DeviceRecord } from '../../../packages/idp/src/state/records.ts';
import type { RefreshTokenStore } from '../../../packages/idp/src/state/types.ts';
import { keyId } from '../../../packages/psso-wstrust/src/jose/key-id.ts';
import { parsePartyInfo } from '../../../packages/psso-wstrust/src/jose/party-info.ts';
import { openKeyBench } from './key-bench.ts';

const dir = new URL('../../fixtures/real-mac/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8').trim();
const KEY_REQUEST = read('key-request.jwt');
const KEY_EXCHANGE = read('key-exchange.jwt');
const SIGNING_KEY = createPublicKey(read('device-signing-key.pem'));
const KID = 'f+RnKWrikksTQNgBuZhD8oMVRFVPBbpRSsrmybfvJC0=';
const USER = 'jappleseed@twocanoes.com';
const REFRESH_TOKEN = 'b4f48850-fafb-4c2f-ba9b-472b06718983';
/** Both were issued at 1713996854 (April 2024), valid 300 s. */
const CLOCK = () => new Date(1713996900_000);

/** The device encryption public key, from the apv's second field. */
function encryptionKeyOf(jwt: string) {
  const apv = (decodeJwt(jwt).jwe_crypto as { apv: string }).apv;
  const point = parsePartyInfo(Buffer.from(apv, 'base64url'))?.[1];
  assert.ok(point !== undefined && point.length === 65);
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** The token endpoint's dependencies with the fixture Mac registered and its session known. */
async function fixtureDeps(consumed: string[]): Promise<TokenEndpointDeps> {
  const bench = await openKeyBench({ clock: CLOCK });
  bench.close();
  const encryptionKey = encryptionKeyOf(KEY_REQUEST);
  const device: DeviceRecord = {
    clientId: 'psso',
    encryptionAlg: 'ECDH-ES',
    signingKid: KID,
    signingKey: SIGNING_KEY,
    encryptionKid: keyId(encryptionKey),
    encryptionKey,
    createdAt: '2024-04-24T00:00:00Z',
  };
  const refreshTokens = {
    lookup: async (token: string, d: { deviceKid: string; clientId: string }) =>
      token === REFRESH_TOKEN && d.deviceKid === KID
        ? {
            ok: true,
            grant: { upn: USER, clientId: 'psso', deviceKid: KID, expires: 0, family: 'f' },
          }
        : { ok: false, reason: 'unknown' },
  } as unknown as RefreshTokenStore;
  const nonces = {
    consume: async (n: unknown) => {
      consumed.push(String(n));
      return undefined;
    },
  } as unknown as ServerNonces;
  return {
    ...bench.deps,
    device: async (kid) => (kid === KID ? device : undefined),
    user: async (upn) => (upn === USER ? { upn: USER, immutableId: 'AAAA' } : undefined),
    refreshTokens,
    nonces,
    clock: CLOCK,
    keyContextKey: randomBytes(32),
  };
}

const form = (jwt: string) => ({
  platform_sso_version: '2.0',
  grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  assertion: jwt,
});

describe('real-Mac key request vectors through the IdP', () => {
  test('both signatures verify with the fixture device key (ES256, no aud)', async () => {
    for (const jwt of [KEY_REQUEST, KEY_EXCHANGE]) {
      assert.equal(decodeProtectedHeader(jwt).kid, KID);
      assert.equal(keyId(SIGNING_KEY), KID);
      const { payload } = await jwtVerify(jwt, SIGNING_KEY, {
        algorithms: ['ES256'],
        issuer: 'psso',
        currentDate: CLOCK(),
      });
      assert.equal(payload.aud, undefined);
    }
  });

  test('their claims pass the shape checks', () => {
    const request = checkKeyRequestClaims(decodeJwt(KEY_REQUEST));
    assert.deepEqual(request, {
      requestType: 'key_request',
      username: USER,
      refreshToken: REFRESH_TOKEN,
    });
    const exchange = checkKeyRequestClaims(decodeJwt(KEY_EXCHANGE));
    assert.equal(exchange.requestType, 'key_exchange');
    // The Mac's other_publickey (std-b64, padded, 65-byte X9.63) is a P-256 point on the curve.
    const other = otherPublicKey(exchange.otherPublicKey ?? '');
    assert.equal(other.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  test('key_request: answered 200 with a key response JWE to the Mac encryption key', async () => {
    const consumed: string[] = [];
    const a = await handleTokenRequest(form(KEY_REQUEST), await fixtureDeps(consumed));
    assert.equal(a.status, 200, a.body);
    assert.equal(a.outcome, 'issued');
    assert.match(a.contentType, /^application\/platformsso-key-response\+jwt/);
    const header = decodeProtectedHeader(a.body);
    assert.equal(header.typ, 'platformsso-key-response+jwt');
    assert.equal(header.alg, 'ECDH-ES');
    assert.equal(header.apv, (decodeJwt(KEY_REQUEST).jwe_crypto as { apv: string }).apv);
    // The server nonce was consumed only after the signature verified.
    assert.deepEqual(consumed, [String(decodeJwt(KEY_REQUEST).request_nonce)]);
  });

  test('key_exchange: refused at the key_context step (a twocanoes PEM context), shape checks passed', async () => {
    const consumed: string[] = [];
    const a = await handleTokenRequest(form(KEY_EXCHANGE), await fixtureDeps(consumed));
    assert.equal(a.outcome, 'key-context-invalid', a.body);
    assert.equal(a.status, 400);
    assert.equal(consumed.length, 1);
  });

  test('control: at the real time they are expired (jwt-invalid), nothing consumed', async () => {
    const consumed: string[] = [];
    const deps = { ...(await fixtureDeps(consumed)), clock: () => new Date() };
    const a = await handleTokenRequest(form(KEY_REQUEST), deps);
    assert.equal(a.outcome, 'jwt-invalid');
    assert.deepEqual(consumed, []);
  });
});
