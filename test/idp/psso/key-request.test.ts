/**
 * Platform SSO 2.0 key request and key exchange at the reference IdP's token endpoint
 * (docs/PLATFORM-SSO.md §3.11), checked end to end in process with the client's own response checks:
 * the happy path, each refusal under its own label (attack fixtures named after the attack), and
 * that an unauthenticated request consumes nothing.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { diffieHellman, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { openKeyContext, sealKeyContext } from '../../../packages/idp/src/psso/key-context.ts';
import type { TokenAnswer } from '../../../packages/idp/src/psso/token.ts';
import { x963 } from '../../../packages/psso-wstrust/src/jose/key-id.ts';
import {
  keyForm,
  openKeyBench,
  processKeyExchangeResponse,
  recorded,
  requestUnlockKey,
  sendKey,
  tokenFor,
} from './key-bench.ts';
import { ALICE, type Bench, BOB, ENDPOINT, requestForm, send } from './token-bench.ts';

function refused(a: TokenAnswer, outcome: string, status?: number): void {
  assert.equal(a.outcome, outcome, `${a.status} ${a.body}`);
  if (status !== undefined) assert.equal(a.status, status);
  assert.ok(a.status === 400 || a.status === 401);
  const body = JSON.parse(a.body) as { error: string };
  assert.ok(['invalid_request', 'invalid_grant', 'unsupported_grant_type'].includes(body.error));
}

const otherPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('key request and key exchange at the token endpoint', () => {
  let b: Bench;
  before(async () => {
    b = await openKeyBench();
  });
  after(() => b.close());

  test('key_request: a P-256 certificate for the user (digitalSignature + keyAgreement) and a key_context', async () => {
    const r = await requestUnlockKey(b);
    assert.equal(r.certificate.subject, `CN=${BOB.upn}`);
    assert.equal(r.certificate.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(r.certificate.issuer, r.certificate.subject, 'self-signed');
    const parsed = new x509.X509Certificate(new Uint8Array(r.certificateDer));
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    assert.equal(
      usage?.usages,
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
    );
    assert.ok(r.certificate.verify(r.certificate.publicKey));
    assert.equal(r.exp - r.iat, 300);
    assert.match(r.keyContext, /^v1\.[A-Za-z0-9_-]+$/);
    const days = (Date.parse(r.certificate.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days < 366, String(days));
  });

  test('key_exchange: key = std-b64 of ECDH(other, certificate key), the client recomputes it', async () => {
    const unlock = await requestUnlockKey(b);
    const other = otherPair();
    const r = await keyForm(b, {
      requestType: 'key_exchange',
      refreshToken: unlock.refreshToken,
      otherPublicKey: other.publicKey,
      keyContext: unlock.keyContext,
    });
    const a = await sendKey(b, r);
    assert.equal(a.status, 200, a.body);
    assert.match(a.contentType, /^application\/platformsso-key-response\+jwt/);
    const x = await processKeyExchangeResponse(recorded(a), {
      encryptionPrivateKey: b.device.encryption.privateKey,
      apv: r.apv,
      now: b.deps.clock(),
      otherPrivateKey: other.privateKey,
      certificate: unlock.certificate,
    });
    assert.equal(x.verified, true);
    assert.equal(x.key.length, 32);
    assert.equal(x.keyContext, unlock.keyContext);
  });

  test('key_exchange: other_publickey in base64url is accepted too (as Fleet does)', async () => {
    const unlock = await requestUnlockKey(b);
    const other = otherPair();
    const r = await keyForm(b, {
      requestType: 'key_exchange',
      refreshToken: unlock.refreshToken,
      otherPublicKey: other.publicKey,
      keyContext: unlock.keyContext,
      mutate: (c) => {
        c.other_publickey = x963(other.publicKey).toString('base64url');
      },
    });
    assert.equal((await sendKey(b, r)).status, 200);
  });

  test('key_exchange: a secret with a leading zero byte is still 32 bytes (left-padded)', async () => {
    const unlock = await requestUnlockKey(b);
    const opened = openKeyContext(b.deps.keyContextKey as Uint8Array, unlock.keyContext, {
      deviceKid: b.device.signing.kid,
      upn: BOB.upn,
      purpose: 'user_unlock',
      now: Math.floor(Date.now() / 1000),
      maxAgeSeconds: 3600,
    });
    assert.ok(opened.ok);
    let other = otherPair();
    // About one key in 256 gives a secret starting with 0x00.
    for (let i = 0; i < 4096; i++) {
      const s = diffieHellman({
        privateKey: opened.context.privateKey,
        publicKey: other.publicKey,
      });
      if (s[0] === 0) break;
      other = otherPair();
    }
    const r = await keyForm(b, {
      requestType: 'key_exchange',
      refreshToken: unlock.refreshToken,
      otherPublicKey: other.publicKey,
      keyContext: unlock.keyContext,
    });
    const a = await sendKey(b, r);
    const x = await processKeyExchangeResponse(recorded(a), {
      encryptionPrivateKey: b.device.encryption.privateKey,
      apv: r.apv,
      now: b.deps.clock(),
      otherPrivateKey: other.privateKey,
      certificate: unlock.certificate,
    });
    assert.equal(x.key[0], 0);
    assert.equal(x.key.length, 32);
  });

  test('a key request leaves its refresh token valid (looked up, not rotated)', async () => {
    const unlock = await requestUnlockKey(b);
    const refresh = await requestForm(b, { refreshToken: unlock.refreshToken });
    assert.equal((await send(b, refresh)).status, 200);
    // Now rotated: a key request with the used token is refused and revokes nothing.
    const again = await keyForm(b, { refreshToken: unlock.refreshToken });
    refused(await sendKey(b, again), 'key-refresh-token-used', 401);
  });

  test('an aud, when present, must be the endpoint', async () => {
    const token = await tokenFor(b, b.device);
    const good = await keyForm(b, {
      refreshToken: token,
      mutate: (c) => {
        c.aud = ENDPOINT;
      },
    });
    assert.equal((await sendKey(b, good)).status, 200);
    const bad = await keyForm(b, {
      refreshToken: token,
      mutate: (c) => {
        c.aud = 'https://elsewhere.example/token';
      },
    });
    refused(await sendKey(b, bad), 'jwt-audience', 401);
  });

  test('shape refusals: version, request_type, key_purpose, missing refresh_token, sub ≠ username', async () => {
    const token = await tokenFor(b, b.device);
    const cases: Array<[string, (c: Record<string, unknown>) => void]> = [
      [
        'key-request-version',
        (c) => {
          c.version = '2.0';
        },
      ],
      [
        'key-request-type',
        (c) => {
          c.request_type = 'key_delete';
        },
      ],
      [
        'key-purpose',
        (c) => {
          c.key_purpose = 'other';
        },
      ],
      [
        'key-request-claims',
        (c) => {
          delete c.refresh_token;
        },
      ],
      [
        'key-request-claims',
        (c) => {
          c.sub = ALICE;
        },
      ],
      [
        'key-request-claims',
        (c) => {
          c.key_context = 'x';
        },
      ],
    ];
    for (const [label, mutate] of cases)
      refused(await sendKey(b, await keyForm(b, { refreshToken: token, mutate })), label, 400);
  });

  test('platform_sso_version 2.0 on a login request is refused; other versions too', async () => {
    const login = await requestForm(b, { password: BOB.password });
    refused(
      await send(b, { ...login, form: { ...login.form, platform_sso_version: '2.0' } }),
      'platform-sso-version',
      400,
    );
    const key = await keyForm(b, { refreshToken: await tokenFor(b, b.device), version: '3.0' });
    refused(await sendKey(b, key), 'platform-sso-version', 400);
  });

  test('attack: refresh token of another device → key-refresh-token-other-device', async () => {
    const stolen = await tokenFor(b, b.other);
    refused(
      await sendKey(b, await keyForm(b, { refreshToken: stolen })),
      'key-refresh-token-other-device',
      401,
    );
    refused(
      await sendKey(b, await keyForm(b, { refreshToken: 'made-up' })),
      'key-refresh-token-unknown',
      401,
    );
  });

  test('attack: a refresh token of another user than username → key-request-user-mismatch', async () => {
    const token = await tokenFor(b, b.device, ALICE);
    refused(
      await sendKey(b, await keyForm(b, { refreshToken: token })),
      'key-request-user-mismatch',
      401,
    );
  });

  test('attack: key_context issued to another device → key-context-other-device', async () => {
    const theirs = await requestUnlockKey(b, b.other);
    const r = await keyForm(b, {
      requestType: 'key_exchange',
      refreshToken: await tokenFor(b, b.device),
      otherPublicKey: otherPair().publicKey,
      keyContext: theirs.keyContext,
    });
    refused(await sendKey(b, r), 'key-context-other-device', 401);
  });

  test('attack: key_context of another user on the same device → key-context-other-user', async () => {
    const alices = await requestUnlockKey(b, b.device, ALICE);
    const r = await keyForm(b, {
      requestType: 'key_exchange',
      refreshToken: await tokenFor(b, b.device),
      otherPublicKey: otherPair().publicKey,
      keyContext: alices.keyContext,
    });
    refused(await sendKey(b, r), 'key-context-other-user', 401);
  });

  test('attack: tampered key_context → key-context-invalid; foreign key, other purpose refused', async () => {
    const unlock = await requestUnlockKey(b);
    const bytes = Buffer.from(unlock.keyContext.slice(3), 'base64url');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    const tampered = `v1.${bytes.toString('base64url')}`;
    const exchange = (keyContext: string) =>
      keyForm(b, {
        requestType: 'key_exchange',
        refreshToken: unlock.refreshToken,
        otherPublicKey: otherPair().publicKey,
        keyContext,
      });
    refused(await sendKey(b, await exchange(tampered)), 'key-context-invalid', 400);
    const ctx = {
      privateKey: otherPair().privateKey,
      deviceKid: b.device.signing.kid,
      upn: BOB.upn,
      issuedAt: Math.floor(Date.now() / 1000),
    };
    const foreign = sealKeyContext(Buffer.alloc(32, 7), { ...ctx, purpose: 'user_unlock' });
    refused(await sendKey(b, await exchange(foreign)), 'key-context-invalid', 400);
    const key = b.deps.keyContextKey as Uint8Array;
    const purpose = sealKeyContext(key, { ...ctx, purpose: 'other_purpose' });
    refused(await sendKey(b, await exchange(purpose)), 'key-context-purpose', 401);
    const old = sealKeyContext(key, {
      ...ctx,
      purpose: 'user_unlock',
      issuedAt: ctx.issuedAt - 400 * 86_400,
    });
    refused(await sendKey(b, await exchange(old)), 'key-context-expired', 401);
  });

  test('attack: other_publickey not on the curve → other-publickey-invalid', async () => {
    const unlock = await requestUnlockKey(b);
    const point = x963(otherPair().publicKey);
    point[64] = (point[64] ?? 0) ^ 1;
    const send = (value: string) =>
      keyForm(b, {
        requestType: 'key_exchange',
        refreshToken: unlock.refreshToken,
        otherPublicKey: otherPair().publicKey,
        keyContext: unlock.keyContext,
        mutate: (c) => {
          c.other_publickey = value;
        },
      }).then((r) => sendKey(b, r));
    refused(await send(point.toString('base64')), 'other-publickey-invalid', 400);
    refused(await send(Buffer.alloc(65, 4).toString('base64')), 'other-publickey-invalid', 400);
    refused(await send('not base64!'), 'other-publickey-invalid', 400);
    const full = x963(otherPair().publicKey);
    const compressed = Buffer.concat([
      Buffer.from([2 + ((full[64] ?? 0) & 1)]),
      full.subarray(1, 33),
    ]);
    refused(await send(compressed.toString('base64')), 'other-publickey-invalid', 400);
  });

  test('unauthenticated: a key request with a bad signature consumes no server nonce', async () => {
    const serverNonce = b.deps.nonces.issue();
    const token = await tokenFor(b, b.device);
    const forged = await keyForm(b, { refreshToken: token, serverNonce });
    const [h, p] = (forged.form.assertion ?? '').split('.');
    const other = await keyForm(b, { device: b.other, refreshToken: token });
    const otherSig = (other.form.assertion ?? '').split('.')[2];
    refused(
      await sendKey(b, { ...forged, form: { ...forged.form, assertion: `${h}.${p}.${otherSig}` } }),
      'jwt-invalid',
      401,
    );
    assert.equal((await sendKey(b, forged)).status, 200);
    refused(await sendKey(b, forged), 'server-nonce-replayed', 401);
  });

  test('an IdP without a key_context key refuses key requests', async () => {
    const plain = { ...b.deps };
    delete (plain as { keyContextKey?: Uint8Array }).keyContextKey;
    const r = await keyForm(b, { refreshToken: await tokenFor(b, b.device) });
    const { handleTokenRequest } = await import('../../../packages/idp/src/psso/token.ts');
    refused(await handleTokenRequest(r.form, plain), 'key-requests-unsupported', 400);
  });

  test('a refresh-token store that cannot answer is 503, never a credential failure', async () => {
    const fresh = await openKeyBench();
    try {
      const r = await keyForm(fresh, { refreshToken: await tokenFor(fresh, fresh.device) });
      fresh.accounts.close();
      const a = await sendKey(fresh, r);
      assert.equal(a.status, 503, a.body);
      assert.equal(a.outcome, 'store-unavailable');
    } finally {
      fresh.close();
    }
  });

  test('the certificate is DER an X509Certificate reads', async () => {
    const r = await requestUnlockKey(b);
    assert.deepEqual(new X509Certificate(r.certificateDer).raw, r.certificateDer);
  });
});
