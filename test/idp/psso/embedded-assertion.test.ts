/**
 * The token endpoint's embedded-assertion grant (§3.9): Secure Enclave key and SmartCard logins,
 * and every refusal, each with its own outcome label and none saying whether a user exists.
 */
import assert from 'node:assert/strict';
import {
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import type { EmbeddedAssertionDeps } from '../../../packages/idp/src/psso/embedded-assertion.ts';
import type { SmartCardMapping } from '../../../packages/idp/src/psso/smartcard.ts';
import { handleTokenRequest, type TokenAnswer } from '../../../packages/idp/src/psso/token.ts';
import {
  buildEmbeddedAssertion,
  type EmbeddedAssertionParams,
} from '../../../packages/psso-wstrust/src/jose/embedded-assertion.ts';
import { buildLoginJwt } from '../../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { publicJwk } from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import type { SmartCardCredential } from '../../../packages/psso-wstrust/src/psso/keys/smartcard.ts';
import { type CardOptions, makeCa, makeCard, type TestCa } from '../../helpers/smartcard.ts';
import { ALICE, type Bench, BOB, ENDPOINT, openBench, refreshTokenOf } from './token-bench.ts';

const SCOPE = 'openid offline_access urn:apple:platformsso';
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

let b: Bench;
let ca: TestCa;
let bobKey: KeyObject;
let aliceKey: KeyObject;
let mapping: readonly SmartCardMapping[] | undefined;
let embedded: EmbeddedAssertionDeps;

before(async () => {
  b = await openBench();
  ca = await makeCa('CN=Trusted SmartCard CA');
  bobKey = p256();
  aliceKey = p256();
  await b.accounts.userKeys.add(BOB.upn, publicJwk(createPublicKey(bobKey)));
  await b.accounts.userKeys.add(ALICE, publicJwk(createPublicKey(aliceKey)));
  await b.accounts.smartCardCas.add(ca.pem);
  embedded = {
    userKey: (kid) => b.accounts.userKeys.get(kid),
    smartCardCas: () => b.accounts.smartCardCas.certificates(),
    get smartCardMapping() {
      return mapping;
    },
  };
});
after(() => b.close());

interface Login {
  /** Who the outer JWT names (default bob). */
  readonly username?: string;
  /** The assertion's key (default bob's SE key) and chain. */
  readonly key?: KeyObject;
  readonly card?: SmartCardCredential;
  /** Overrides of the inner assertion's inputs. */
  readonly inner?: Partial<EmbeddedAssertionParams>;
  /** The whole assertion, made from the outer values. */
  readonly raw?: (o: { nonce: string; serverNonce: string }) => Promise<string>;
  /** Send to an endpoint without the embedded-assertion dependencies. */
  readonly withoutEmbedded?: boolean;
}

/** A login request with an embedded assertion, sent to the endpoint. */
async function login(o: Login = {}): Promise<{
  answer: TokenAnswer;
  form: Record<string, string>;
  nonce: string;
  assertion: string;
}> {
  const nonce = randomUUID().toUpperCase();
  const serverNonce = b.deps.nonces.issue();
  const now = Math.floor(b.deps.clock().getTime() / 1000);
  const username = o.username ?? BOB.upn;
  const assertion =
    o.raw !== undefined
      ? await o.raw({ nonce, serverNonce })
      : await buildEmbeddedAssertion({
          signingKey: o.card?.privateKey ?? o.key ?? bobKey,
          ...(o.card === undefined ? {} : { x5c: o.card.certificates }),
          username,
          audience: ENDPOINT,
          nonce,
          serverNonce,
          scope: SCOPE,
          now,
          ...o.inner,
        });
  const jwt = await buildLoginJwt({
    signingKey: b.device.signing.privateKey,
    encryptionPublicKey: b.device.encryption.publicKey,
    clientId: 'psso',
    username,
    tokenEndpoint: ENDPOINT,
    nonce,
    serverNonce,
    scope: SCOPE,
    now,
    embeddedAssertion: assertion,
  });
  const form = { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt };
  return {
    answer: await handleTokenRequest(
      form,
      o.withoutEmbedded === true ? b.deps : { ...b.deps, embedded },
    ),
    form,
    nonce,
    assertion,
  };
}

function refused(a: TokenAnswer, outcome: string, status = 401): void {
  assert.equal(a.outcome, outcome, a.body);
  assert.equal(a.status, status);
  const body = JSON.parse(a.body);
  if (status === 401) {
    assert.equal(body.error, 'invalid_grant');
    // One answer for every credential refusal: nothing says whether the user or key exists.
    assert.equal(body.error_description, 'The credentials were refused.');
    assert.equal(body.suberror, undefined);
  }
}

describe('Secure Enclave key login', () => {
  test('a registered key: issued for the user, a refresh token for this device', async () => {
    const { answer, nonce } = await login();
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.issued?.user, BOB.upn);
    assert.equal(answer.issued?.method, 'jwt-bearer');
    const token = await refreshTokenOf({ form: {}, contextNonce: nonce, device: b.device }, answer);
    assert.ok(token.length > 20);
  });
  test('any spelling of the user; typ JWT (SDK 13) and aud = client_id accepted', async () => {
    assert.equal((await login({ username: 'BOB@Managed.Example' })).answer.status, 200);
    assert.equal(
      (await login({ inner: { customHeaderClaims: { typ: 'JWT' } } })).answer.status,
      200,
    );
    assert.equal((await login({ inner: { audience: 'psso' } })).answer.status, 200);
  });
  test('an unknown kid: assertion-unknown-key', async () => {
    refused((await login({ key: p256() })).answer, 'assertion-unknown-key');
  });
  test('attack: another user’s key (alice’s assertion in bob’s login): assertion-unknown-key', async () => {
    refused((await login({ key: aliceKey })).answer, 'assertion-unknown-key');
    refused(
      (await login({ key: aliceKey, inner: { username: ALICE } })).answer,
      'assertion-unknown-key',
    );
  });
  test('attack: an assertion minted for another user by a valid key: assertion-user-mismatch', async () => {
    refused((await login({ inner: { username: ALICE } })).answer, 'assertion-user-mismatch');
  });
  test('attack: replayed assertion in a new login: assertion-request-nonce / assertion-nonce', async () => {
    const first = await login();
    assert.equal(first.answer.status, 200);
    refused((await login({ raw: async () => first.assertion })).answer, 'assertion-nonce');
    refused(
      (await login({ inner: { serverNonce: b.deps.nonces.issue() } })).answer,
      'assertion-request-nonce',
    );
    refused(
      (await login({ inner: { nonce: randomUUID().toUpperCase() } })).answer,
      'assertion-nonce',
    );
    // The whole request again: its server nonce is spent.
    const again = await handleTokenRequest(first.form, { ...b.deps, embedded });
    assert.equal(again.outcome, 'server-nonce-replayed');
  });
  test('scope, audience, iat and exp', async () => {
    refused((await login({ inner: { scope: 'openid' } })).answer, 'assertion-scope');
    refused(
      (await login({ inner: { audience: 'https://other.example/token' } })).answer,
      'assertion-audience',
    );
    const now = Math.floor(Date.now() / 1000);
    refused((await login({ inner: { now: now + 600 } })).answer, 'assertion-iat-future');
    refused((await login({ inner: { now: now - 1000 } })).answer, 'assertion-expired');
  });
  test('a signature by another key under the registered kid: assertion-signature', async () => {
    const kid = (await b.accounts.userKeys.list(BOB.upn))[0]?.kid as string;
    refused((await login({ key: p256(), inner: { kid } })).answer, 'assertion-signature');
  });
  test('a wrong typ: assertion-typ', async () => {
    refused(
      (await login({ inner: { customHeaderClaims: { typ: 'platformsso-login-request+jwt' } } }))
        .answer,
      'assertion-typ',
    );
  });
  test('attack: alg none and HS256 keyed with the public key: assertion-alg', async () => {
    const kid = (await b.accounts.userKeys.list(BOB.upn))[0]?.kid as string;
    const claims = (nonce: string, serverNonce: string) => {
      const now = Math.floor(Date.now() / 1000);
      return {
        aud: ENDPOINT,
        iat: now,
        exp: now + 300,
        iss: BOB.upn,
        sub: BOB.upn,
        nonce,
        request_nonce: serverNonce,
        scope: SCOPE,
      };
    };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    refused(
      (
        await login({
          raw: async ({ nonce, serverNonce }) =>
            `${b64({ typ: 'platformsso-login-assertion+jwt', alg: 'none', kid })}.${b64(claims(nonce, serverNonce))}.`,
        })
      ).answer,
      'assertion-alg',
    );
    const secret = createPublicKey(bobKey).export({ format: 'pem', type: 'spki' }) as string;
    refused(
      (
        await login({
          raw: ({ nonce, serverNonce }) =>
            new SignJWT(claims(nonce, serverNonce))
              .setProtectedHeader({ typ: 'platformsso-login-assertion+jwt', alg: 'HS256', kid })
              .sign(Buffer.from(secret)),
        })
      ).answer,
      'assertion-alg',
    );
  });
  test('a malformed assertion: 400 assertion-malformed', async () => {
    refused(
      (await login({ raw: async () => 'bm90.anNvbg.c2ln' })).answer,
      'assertion-malformed',
      400,
    );
  });
  test('without the embedded-assertion dependencies, jwt-bearer stays unsupported', async () => {
    refused((await login({ withoutEmbedded: true })).answer, 'jwt-bearer-unsupported', 400);
  });
});

describe('SmartCard login', () => {
  const card = (o: CardOptions = {}) => makeCard(ca, { upn: BOB.upn, ...o });
  for (const kind of ['rsa2048', 'p256', 'p384'] as const) {
    test(`${kind}: a certificate from a trusted CA, mapped by UPN`, async () => {
      const { credential } = await card({ kind });
      const { answer } = await login({ card: credential });
      assert.equal(answer.status, 200, answer.body);
      assert.equal(answer.issued?.user, BOB.upn);
    });
  }
  test('through an intermediate CA', async () => {
    const mid = await makeCa('CN=Issuing CA', { issuer: ca });
    const { credential } = await makeCard(ca, { upn: BOB.upn, chain: [mid] });
    assert.equal((await login({ card: credential })).answer.status, 200);
  });
  test('email mapping when there is no UPN; mapping configurable', async () => {
    const { credential } = await card({ upn: undefined, email: BOB.upn });
    assert.equal((await login({ card: credential })).answer.status, 200);
    const both = await card({ upn: 'someone-else@managed.example', email: BOB.upn });
    refused((await login({ card: both.credential })).answer, 'assertion-user-mismatch');
    mapping = ['email'];
    try {
      assert.equal((await login({ card: both.credential })).answer.status, 200);
      const upnOnly = await card();
      refused((await login({ card: upnOnly.credential })).answer, 'smartcard-no-user');
    } finally {
      mapping = undefined;
    }
  });
  test('attack: a self-signed certificate: smartcard-untrusted', async () => {
    const { credential } = await card({ selfSigned: true });
    refused((await login({ card: credential })).answer, 'smartcard-untrusted');
  });
  test('attack: a certificate from an untrusted CA: smartcard-untrusted', async () => {
    const rogue = await makeCa('CN=Trusted SmartCard CA'); // same name, other key
    const { credential } = await makeCard(rogue, { upn: BOB.upn });
    refused((await login({ card: credential })).answer, 'smartcard-untrusted');
    const mid = await makeCa('CN=Rogue intermediate', { issuer: rogue });
    const chained = await makeCard(rogue, { upn: BOB.upn, chain: [mid] });
    refused((await login({ card: chained.credential })).answer, 'smartcard-untrusted');
  });
  test('attack: the trusted CA certificate itself as the leaf: smartcard-untrusted', async () => {
    const cas = await b.accounts.smartCardCas.list();
    const x5c = [cas[0]?.certificate.raw.toString('base64') as string];
    const { credential } = await card();
    refused(
      (await login({ card: { ...credential, certificates: x5c } })).answer,
      'smartcard-untrusted',
    );
  });
  test('attack: an expired certificate: smartcard-expired', async () => {
    const day = 86_400_000;
    const { credential } = await card({
      notBefore: new Date(Date.now() - 10 * day),
      notAfter: new Date(Date.now() - day),
    });
    refused((await login({ card: credential })).answer, 'smartcard-expired');
  });
  test('attack: an RSA-1024 key: smartcard-weak-key', async () => {
    const { credential } = await card({ kind: 'rsa1024' });
    // No JOSE library signs RS256 with 1024 bits: the JWS is made with node:crypto.
    const raw = async ({ nonce, serverNonce }: { nonce: string; serverNonce: string }) => {
      const now = Math.floor(Date.now() / 1000);
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const input = `${b64({ typ: 'platformsso-login-assertion+jwt', alg: 'RS256', x5c: credential.certificates })}.${b64({ aud: ENDPOINT, iat: now, exp: now + 300, iss: BOB.upn, sub: BOB.upn, nonce, request_nonce: serverNonce, scope: SCOPE })}`;
      return `${input}.${sign('sha256', Buffer.from(input), credential.privateKey).toString('base64url')}`;
    };
    refused((await login({ raw })).answer, 'smartcard-weak-key');
  });
  test('a leaf whose keyUsage does not allow signing: smartcard-key-usage', async () => {
    const { credential } = await card({ keyUsage: 0x20 /* keyEncipherment */ });
    refused((await login({ card: credential })).answer, 'smartcard-key-usage');
    const none = await card({ keyUsage: null });
    assert.equal((await login({ card: none.credential })).answer.status, 200);
  });
  test('no UPN nor email: smartcard-no-user; a certificate of an unknown user: smartcard-no-user', async () => {
    const { credential } = await card({ upn: undefined });
    refused((await login({ card: credential })).answer, 'smartcard-no-user');
    const ghost = await card({ upn: 'ghost@managed.example' });
    refused(
      (await login({ card: ghost.credential, username: 'ghost@managed.example' })).answer,
      'smartcard-no-user',
    );
  });
  test('attack: a valid card of another user in bob’s login: assertion-user-mismatch', async () => {
    const alice = await card({ upn: ALICE });
    refused((await login({ card: alice.credential })).answer, 'assertion-user-mismatch');
  });
  test('x5c too long or not base64 DER: smartcard-x5c', async () => {
    const { credential } = await card();
    const long = Array(5).fill(credential.certificates[0]) as string[];
    refused((await login({ card: { ...credential, certificates: long } })).answer, 'smartcard-x5c');
    refused(
      (await login({ card: { ...credential, certificates: ['bm90IGEgY2VydA=='] } })).answer,
      'smartcard-x5c',
    );
  });
  test('a signature by another key under a valid certificate: assertion-signature', async () => {
    const { credential } = await card({ kind: 'p256' });
    refused(
      (await login({ card: { ...credential, privateKey: p256() } })).answer,
      'assertion-signature',
    );
  });
});
