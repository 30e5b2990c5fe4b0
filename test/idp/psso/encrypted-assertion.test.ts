/**
 * The token endpoint's encrypted embedded assertion (docs/PLATFORM-SSO.md §3.10; docs/PSSO-PEERS.md §4.4):
 * a jwt-bearer login whose `assertion` is a JWE carrying the password. One test per refusal, attack
 * fixtures named after the attack, and the one password check (the password grant's lockout).
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CompactEncrypt } from 'jose';
import { openEncryptedAssertion } from '../../../packages/idp/src/psso/encrypted-assertion.ts';
import {
  type LoginRequestEncryptionKey,
  loginRequestEncryptionKeyOf,
} from '../../../packages/idp/src/psso/login-encryption-key.ts';
import { Refusal } from '../../../packages/idp/src/psso/refusal.ts';
import { handleTokenRequest, type TokenAnswer } from '../../../packages/idp/src/psso/token.ts';
import {
  EMBEDDED_APV_PREFIX,
  embeddedApv,
} from '../../../packages/psso-wstrust/src/jose/embedded-apv.ts';
import {
  buildEncryptedAssertion,
  ENCRYPTED_ASSERTION_TYP,
  encryptedAssertionClaims,
} from '../../../packages/psso-wstrust/src/jose/encrypted-assertion.ts';
import { buildLoginJwt } from '../../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { ALICE, type Bench, BOB, ENDPOINT, openBench, refreshTokenOf } from './token-bench.ts';

const SCOPE = 'openid offline_access urn:apple:platformsso';
let b: Bench;
let key: LoginRequestEncryptionKey;

before(async () => {
  b = await openBench();
  key = await loginRequestEncryptionKeyOf(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  );
});
after(() => b.close());

/** One login's context: the outer JWT's nonces. */
interface Login {
  readonly contextNonce: string;
  readonly serverNonce: string;
  readonly now: number;
}
const newLogin = (): Login => ({
  contextNonce: randomUUID().toUpperCase(),
  serverNonce: b.deps.nonces.issue(),
  now: Math.floor(Date.now() / 1000),
});

/** The assertion a correct client builds for `login`. */
function goodAssertion(login: Login, o: { username?: string; password?: string } = {}) {
  return buildEncryptedAssertion({
    encryptionKey: key.privateKey,
    username: o.username ?? BOB.upn,
    password: o.password ?? BOB.password,
    nonce: login.contextNonce,
    serverNonce: login.serverNonce,
    scope: SCOPE,
    tokenEndpoint: ENDPOINT,
    now: login.now,
  });
}

/** A hand-made JWE: `header`, `apv`, plaintext and recipient key chosen by the attacker. */
function craft(
  login: Login,
  o: {
    header?: Record<string, unknown>;
    apv?: Buffer;
    claims?: Record<string, unknown>;
    plaintext?: string;
    to?: import('node:crypto').KeyObject;
  } = {},
): Promise<string> {
  const claims = {
    ...encryptedAssertionClaims({
      username: BOB.upn,
      password: BOB.password,
      nonce: login.contextNonce,
      serverNonce: login.serverNonce,
      scope: SCOPE,
      tokenEndpoint: ENDPOINT,
      now: login.now,
    }),
    ...o.claims,
  };
  const plaintext = o.plaintext ?? JSON.stringify(claims);
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      typ: ENCRYPTED_ASSERTION_TYP,
      ...o.header,
    })
    .setKeyManagementParameters({
      apv: o.apv ?? embeddedApv(EMBEDDED_APV_PREFIX, key.privateKey, login.serverNonce).bytes,
    })
    .encrypt(o.to ?? createPublicKey(key.privateKey));
}

/** The outer login JWT carrying `assertion`, sent to the handler with the IdP key configured. */
async function send(
  login: Login,
  assertion: string,
  o: { username?: string; withKey?: boolean } = {},
): Promise<TokenAnswer> {
  const jwt = await buildLoginJwt({
    signingKey: b.device.signing.privateKey,
    encryptionPublicKey: b.device.encryption.publicKey,
    clientId: 'psso',
    username: o.username ?? BOB.upn,
    tokenEndpoint: ENDPOINT,
    nonce: login.contextNonce,
    serverNonce: login.serverNonce,
    scope: SCOPE,
    now: login.now,
    embeddedAssertion: assertion,
  });
  const deps = o.withKey === false ? b.deps : { ...b.deps, loginRequestEncryption: key };
  return handleTokenRequest(
    { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt },
    deps,
  );
}

function refused(a: TokenAnswer, outcome: string, status = 401): void {
  assert.equal(a.outcome, outcome, `${a.status} ${a.body} ${a.detail ?? ''}`);
  assert.equal(a.status, status);
  const body = JSON.parse(a.body) as Record<string, unknown>;
  if (status === 401) assert.equal(body.error, 'invalid_grant');
  for (const text of [a.body, a.detail ?? ''])
    assert.doesNotMatch(text, new RegExp(BOB.password), 'the password never leaves');
}

/** A fresh login (its own server nonce, used once) with a crafted assertion. */
async function attempt(o: Parameters<typeof craft>[1]): Promise<TokenAnswer> {
  const login = newLogin();
  return send(login, await craft(login, o));
}

describe('encrypted embedded assertion: accepted', () => {
  test('a correct assertion logs bob in (id_token, refresh token)', async () => {
    const login = newLogin();
    const a = await send(login, await goodAssertion(login));
    assert.equal(a.status, 200, `${a.outcome} ${a.body} ${a.detail ?? ''}`);
    assert.equal(a.issued?.user, BOB.upn);
    const r = {
      form: {},
      contextNonce: login.contextNonce,
      device: b.device,
    };
    assert.match(await refreshTokenOf(r, a), /./);
  });

  test('the inner user may differ in spelling only (canonical username)', async () => {
    const login = newLogin();
    const a = await send(login, await goodAssertion(login, { username: BOB.upn.toUpperCase() }));
    assert.equal(a.status, 200, `${a.outcome} ${a.detail ?? ''}`);
  });

  test('openEncryptedAssertion returns the password for the caller to check', async () => {
    const login = newLogin();
    const outer = {
      username: BOB.upn,
      nonce: login.contextNonce,
      requestNonce: login.serverNonce,
      scope: SCOPE,
    };
    const r = await openEncryptedAssertion(await goodAssertion(login), outer, {
      key,
      audience: ENDPOINT,
      now: new Date(login.now * 1000),
      skewSeconds: 120,
    });
    assert.equal(r.password, BOB.password);
    await assert.rejects(
      openEncryptedAssertion(
        await goodAssertion(login),
        { ...outer, scope: 'openid' },
        {
          key,
          audience: ENDPOINT,
          now: new Date(login.now * 1000),
          skewSeconds: 120,
        },
      ),
      (e: unknown) => e instanceof Refusal && e.label === 'encrypted-assertion-scope',
    );
  });
});

describe('encrypted embedded assertion: refusals (one label each)', () => {
  test('IdP without a login request encryption key: unsupported', async () => {
    const login = newLogin();
    refused(
      await send(login, await goodAssertion(login), { withKey: false }),
      'encrypted-assertion-unsupported',
      400,
    );
  });

  test('wrong password: bad-credentials, like the password grant', async () => {
    const login = newLogin();
    refused(
      await send(login, await goodAssertion(login, { password: 'wrong' })),
      'bad-credentials',
    );
  });

  test('federated user: refused as for the password grant', async () => {
    const login = newLogin();
    const jwe = await goodAssertion(login, { username: ALICE });
    refused(await send(login, jwe, { username: ALICE }), 'password-for-federated-user');
  });

  test('attack: wrong typ (a login JWT typ on the JWE)', async () => {
    const login = newLogin();
    refused(
      await send(login, await craft(login, { header: { typ: 'JWT' } })),
      'encrypted-assertion-typ',
    );
  });

  test('attack: RSA-OAEP key management instead of ECDH-ES', async () => {
    const login = newLogin();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM', typ: ENCRYPTED_ASSERTION_TYP })
      .encrypt(rsa);
    refused(await send(login, jwe), 'encrypted-assertion-alg');
  });

  test('attack: A128GCM content encryption', async () => {
    const login = newLogin();
    refused(
      await send(login, await craft(login, { header: { enc: 'A128GCM' } })),
      'encrypted-assertion-alg',
    );
  });

  test('attack: apv naming another key (encrypted to ours)', async () => {
    const login = newLogin();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const apv = embeddedApv(EMBEDDED_APV_PREFIX, other, login.serverNonce).bytes;
    refused(await send(login, await craft(login, { apv })), 'encrypted-assertion-apv-key');
  });

  test("attack: apv with the context nonce instead of the server nonce (Fleet's mistake)", async () => {
    const login = newLogin();
    const apv = embeddedApv(EMBEDDED_APV_PREFIX, key.privateKey, login.contextNonce).bytes;
    refused(await send(login, await craft(login, { apv })), 'encrypted-assertion-apv-nonce');
  });

  test('attack: replay of an encrypted assertion from another login (different request_nonce)', async () => {
    const first = newLogin();
    const stolen = await goodAssertion(first);
    // A fresh outer login (new server nonce, same context nonce to isolate the binding).
    const second = { ...newLogin(), contextNonce: first.contextNonce };
    refused(await send(second, stolen), 'encrypted-assertion-apv-nonce');
  });

  test('attack: apv with the right key and nonce but another prefix', async () => {
    const login = newLogin();
    const apv = embeddedApv('Apple', key.privateKey, login.serverNonce).bytes;
    refused(await send(login, await craft(login, { apv })), 'encrypted-assertion-apv');
  });

  test('attack: apv with a fourth field', async () => {
    const login = newLogin();
    const three = embeddedApv(EMBEDDED_APV_PREFIX, key.privateKey, login.serverNonce).bytes;
    const apv = Buffer.concat([three, Buffer.from([0, 0, 0, 1, 0x41])]);
    refused(await send(login, await craft(login, { apv })), 'encrypted-assertion-apv');
  });

  test('attack: inner user ≠ outer user (bob’s password, mallory’s login)', async () => {
    refused(
      await attempt({ claims: { sub: 'mallory@managed.example' } }),
      'encrypted-assertion-user',
    );
    refused(
      await attempt({ claims: { iss: 'mallory@managed.example' } }),
      'encrypted-assertion-user',
    );
    refused(
      await attempt({ claims: { username: 'mallory@managed.example' } }),
      'encrypted-assertion-user',
    );
  });

  test('attack: inner request_nonce from another login (apv right)', async () => {
    const login = newLogin();
    const jwe = await craft(login, { claims: { request_nonce: b.deps.nonces.issue() } });
    refused(await send(login, jwe), 'encrypted-assertion-request-nonce');
  });

  test('inner nonce ≠ outer nonce', async () => {
    refused(await attempt({ claims: { nonce: randomUUID() } }), 'encrypted-assertion-nonce');
  });

  test('inner scope ≠ outer scope', async () => {
    refused(await attempt({ claims: { scope: 'openid' } }), 'encrypted-assertion-scope');
  });

  test('inner aud for another token endpoint', async () => {
    for (const aud of ['https://evil.example/psso/token', ['https://evil.example'], undefined])
      refused(await attempt({ claims: { aud } }), 'encrypted-assertion-audience');
    const ok = newLogin();
    const list = await craft(ok, { claims: { aud: ['x', ENDPOINT] } });
    assert.equal((await send(ok, list)).status, 200, 'a list containing this endpoint is accepted');
  });

  test('inner exp past and iat in the future (beyond the skew)', async () => {
    const login = newLogin();
    refused(await attempt({ claims: { exp: login.now - 300 } }), 'encrypted-assertion-expired');
    refused(await attempt({ claims: { iat: login.now + 300 } }), 'encrypted-assertion-iat');
    refused(await attempt({ claims: { iat: undefined } }), 'encrypted-assertion-claims');
  });

  test('inner password missing, empty, not a string, or over 1 KiB', async () => {
    for (const password of [undefined, '', 42, 'x'.repeat(1025)])
      refused(await attempt({ claims: { password } }), 'encrypted-assertion-password');
  });

  test('plaintext not a JSON object (a compact JWT, an array, bytes)', async () => {
    for (const plaintext of ['eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', '[1]', '\uFFFE{'])
      refused(await attempt({ plaintext }), 'encrypted-assertion-claims');
  });

  test('attack: ciphertext tampered (GCM tag fails)', async () => {
    const login = newLogin();
    const parts = (await goodAssertion(login)).split('.');
    const ct = Buffer.from(parts[3] as string, 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    refused(await send(login, parts.join('.')), 'encrypted-assertion-decrypt');
  });

  test('attack: encrypted to another key (apv claims ours)', async () => {
    const login = newLogin();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    refused(await send(login, await craft(login, { to: other })), 'encrypted-assertion-decrypt');
  });

  test('a malformed protected header', async () => {
    const login = newLogin();
    refused(await send(login, 'bm90IGpzb24.x.x.x.x'), 'encrypted-assertion-malformed', 400);
  });

  test('lockout: wrong encrypted passwords count like plain ones and lock the plain path', async () => {
    const fresh = await openBench();
    try {
      const saved = b;
      b = fresh;
      try {
        for (let i = 0; i < 5; i++) {
          const login = newLogin();
          refused(
            await send(login, await goodAssertion(login, { password: `guess-${i}` })),
            'bad-credentials',
          );
        }
        const login = newLogin();
        refused(await send(login, await goodAssertion(login)), 'locked-out');
        const { requestForm, send: sendPlain } = await import('./token-bench.ts');
        const plain = await sendPlain(fresh, await requestForm(fresh, { password: BOB.password }));
        assert.equal(plain.outcome, 'locked-out');
      } finally {
        b = saved;
      }
    } finally {
      fresh.close();
    }
  });
});
