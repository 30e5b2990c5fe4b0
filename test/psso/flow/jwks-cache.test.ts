import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { LoginError } from '../../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../../packages/psso-wstrust/src/http/agents.ts';
import { verifyIdToken } from '../../../packages/psso-wstrust/src/jose/id-token.ts';
import { JwksCache } from '../../../packages/psso-wstrust/src/psso/flow/jwks-cache.ts';
import { makeTestPki } from '../../helpers/tls.ts';
import { startServer, type TestServer } from '../../http/server.ts';

const ISSUER = 'https://idp.example.com';
const CLIENT = 'psso';
const T0 = 1_700_000_000_000;
const MIN = 60_000;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = publicKey.export({ format: 'jwk' });

/** What the IdP serves at each path: the kids (all the same key) and a Cache-Control header. */
interface Served {
  kids: string[];
  cacheControl?: string;
}
const served = new Map<string, Served>();
const fetches = new Map<string, number>();
const PATHS = Array.from({ length: 20 }, (_, i) => `/jwks/${i}`);

let server: TestServer;
let ca: string;
before(async () => {
  const pki = await makeTestPki();
  ca = pki.caPem;
  server = await startServer(
    new Map(
      PATHS.map((p) => [
        p,
        (_req, res) => {
          fetches.set(p, (fetches.get(p) ?? 0) + 1);
          const s = served.get(p) ?? { kids: [] };
          res.writeHead(200, {
            'content-type': 'application/json',
            ...(s.cacheControl === undefined ? {} : { 'cache-control': s.cacheControl }),
          });
          res.end(JSON.stringify({ keys: s.kids.map((kid) => ({ ...jwk, kid, alg: 'ES256' })) }));
        },
      ]),
    ),
    { key: pki.keyPem, cert: pki.certPem },
  );
});
after(async () => {
  await server.close();
  await closeHttpAgents();
});

/** A fresh IdP state at `path` and a cache whose clock the test moves. */
function setup(path: string, s: Served, options = {}) {
  served.set(path, s);
  fetches.set(path, 0);
  const clock = { now: T0 };
  const cache = new JwksCache({ now: () => clock.now, ...options });
  const url = new URL(`${server.origin}${path}`);
  const check = async (kid: string, at: number, c: JwksCache = cache, u: URL = url) => {
    clock.now = at;
    const idToken = await new SignJWT({ iss: ISSUER, aud: CLIENT, sub: 'alice' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuedAt(Math.floor(T0 / 1000))
      .setExpirationTime(Math.floor(T0 / 1000) + 3 * 86_400)
      .sign(privateKey);
    return c.verify(u, { ca }, (jwks) =>
      verifyIdToken(idToken, {
        jwks: jwks as never,
        issuer: ISSUER,
        clientId: CLIENT,
        now: Math.floor(at / 1000),
      }),
    );
  };
  return { cache, url, clock, check, count: () => fetches.get(path) ?? 0 };
}

const isJwksError = (e: unknown) => {
  assert.ok(e instanceof LoginError, String(e));
  assert.equal(e.code, 'PSSO_ERR_JWKS');
  return true;
};

describe('JWKS cache: maximum age', () => {
  test('key removal: a key the IdP drops stops being trusted once the cached JWKS is 10 min old', async () => {
    const s: Served = { kids: ['k1', 'k2'] };
    const { check, count } = setup(PATHS[0] as string, s);
    await check('k1', T0);
    assert.equal(count(), 1);
    s.kids = ['k2'];
    await check('k1', T0 + 10 * MIN - 1); // still the cached copy
    assert.equal(count(), 1);
    await assert.rejects(check('k1', T0 + 10 * MIN), isJwksError);
    assert.equal(count(), 2, 'fetched again at the maximum age, before use');
    await check('k2', T0 + 10 * MIN + 1);
    assert.equal(count(), 2);
  });
  test('Cache-Control max-age is honoured (120 s)', async () => {
    const { check, count } = setup(PATHS[1] as string, {
      kids: ['k1'],
      cacheControl: 'public, max-age=120',
    });
    await check('k1', T0);
    await check('k1', T0 + 119_999);
    assert.equal(count(), 1);
    await check('k1', T0 + 120_000);
    assert.equal(count(), 2);
  });
  test('Cache-Control max-age below 1 min, and no-store, are clamped up to 1 min', async () => {
    for (const [i, cacheControl] of [
      [2, 'max-age=0'],
      [3, 'max-age=5'],
      [4, 'no-store'],
    ] as const) {
      const { check, count } = setup(PATHS[i] as string, { kids: ['k1'], cacheControl });
      await check('k1', T0);
      await check('k1', T0 + MIN - 1);
      assert.equal(count(), 1, cacheControl);
      await check('k1', T0 + MIN);
      assert.equal(count(), 2, cacheControl);
    }
  });
  test('Cache-Control max-age above 24 h is clamped down to 24 h', async () => {
    const { check, count } = setup(PATHS[5] as string, {
      kids: ['k1'],
      cacheControl: 'max-age=31536000',
    });
    await check('k1', T0);
    await check('k1', T0 + 24 * 60 * MIN - 1);
    assert.equal(count(), 1);
    await check('k1', T0 + 24 * 60 * MIN);
    assert.equal(count(), 2);
  });
  test('a duplicate or malformed max-age falls back to the 10 min default', async () => {
    for (const [i, cacheControl] of [
      [6, 'max-age=60, max-age=86400'],
      [7, 'max-age=-5'],
    ] as const) {
      const { check, count } = setup(PATHS[i] as string, { kids: ['k1'], cacheControl });
      await check('k1', T0);
      await check('k1', T0 + 10 * MIN - 1);
      assert.equal(count(), 1, cacheControl);
      await check('k1', T0 + 10 * MIN);
      assert.equal(count(), 2, cacheControl);
    }
  });
});

describe('JWKS cache: unknown kids', () => {
  test('random-kid flood: at most one refetch per URL per 30 s, however many unknown kids', async () => {
    const s: Served = { kids: ['k1'] };
    const { check, count } = setup(PATHS[8] as string, s);
    await check('k1', T0);
    // Within 30 s of the fetch: no refetch at all.
    for (let i = 0; i < 20; i++) await assert.rejects(check(`rand-${i}`, T0 + 1000), isJwksError);
    assert.equal(count(), 1);
    // Past 30 s: one refetch, then none for the next 30 s, even when concurrent.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        assert.rejects(check(`rand-b${i}`, T0 + 30_000), isJwksError),
      ),
    );
    assert.equal(count(), 2);
    for (let i = 0; i < 20; i++)
      await assert.rejects(check(`rand-c${i}`, T0 + 59_999), isJwksError);
    assert.equal(count(), 2);
    await assert.rejects(check('rand-d', T0 + 60_000), isJwksError);
    assert.equal(count(), 3);
  });
  test('key rotation: a new kid is fetched when the last fetch is over 30 s old', async () => {
    const s: Served = { kids: ['k1'] };
    const { check, count } = setup(PATHS[9] as string, s);
    await check('k1', T0);
    s.kids = ['k1', 'k2'];
    await assert.rejects(check('k2', T0 + 29_999), isJwksError);
    await check('k2', T0 + 30_000);
    assert.equal(count(), 2);
  });
});

describe('JWKS cache: size bounds', () => {
  test('too many keys: a JWKS of 33 keys is refused (PSSO_ERR_JWKS), 32 accepted', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);
    const { check, cache } = setup(PATHS[10] as string, { kids: many(33) });
    await assert.rejects(check('k0', T0), (e: unknown) => {
      isJwksError(e);
      assert.match((e as Error).message, /more than 32 keys/);
      return true;
    });
    assert.equal(cache.size, 0, 'nothing cached');
    served.set(PATHS[10] as string, { kids: many(32) });
    await check('k31', T0 + 1);
  });
  test('URL bound: 16 JWKS URLs kept, the least recently used dropped first', async () => {
    const { check, cache } = setup(PATHS[19] as string, { kids: [] });
    const urls = PATHS.slice(0, 17).map((p) => {
      served.set(p, { kids: ['k1'] });
      fetches.set(p, 0);
      return new URL(`${server.origin}${p}`);
    });
    for (const u of urls.slice(0, 16)) await check('k1', T0, cache, u);
    assert.equal(cache.size, 16);
    await check('k1', T0, cache, urls[0]); // /0 is now the most recently used
    await check('k1', T0, cache, urls[16]); // evicts /1, the least recently used
    assert.equal(cache.size, 16);
    await check('k1', T0, cache, urls[0]);
    assert.equal(fetches.get(PATHS[0] as string), 1, '/0 still cached');
    await check('k1', T0, cache, urls[1]);
    assert.equal(fetches.get(PATHS[1] as string), 2, '/1 was evicted and fetched again');
  });
  test('bad options are caller misuse (TypeError)', () => {
    assert.throws(() => new JwksCache({ maxUrls: 0 }), TypeError);
    assert.throws(() => new JwksCache({ maxAgeMs: Number.NaN }), TypeError);
  });
});
