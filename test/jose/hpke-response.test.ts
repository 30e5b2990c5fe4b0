/**
 * HPKE login responses (docs/PLATFORM-SSO.md §3.7): the IdP's compact JWE layout opened by
 * decryptLoginResponse for each suite and mode, the `ek` header tolerance, and the refusals with
 * their pinned codes.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { LoginError, type LoginErrorCode } from '../../packages/psso-wstrust/src/errors.ts';
import {
  encryptHpkeResponse,
  type HpkePsk,
} from '../../packages/psso-wstrust/src/jose/hpke/encrypt.ts';
import {
  HPKE_SUITES,
  type HpkeSuiteName,
  hpkeKeyId,
} from '../../packages/psso-wstrust/src/jose/hpke/suites.ts';
import {
  decryptLoginResponse,
  encryptLoginResponse,
} from '../../packages/psso-wstrust/src/jose/login-response.ts';
import { loginApv } from '../../packages/psso-wstrust/src/jose/party-info.ts';

const NONCE = 'B7F1FC32-9121-4E2A-9E32-8417E03675DD';
const BODY = { id_token: 'h.p.s', refresh_token: 'rt', token_type: 'Bearer', expires_in: 3600 };
const PSK: HpkePsk = {
  id: new TextEncoder().encode('psk-1'),
  key: new Uint8Array(32).fill(7),
};

const keyPair = (suite: HpkeSuiteName): { privateKey: KeyObject; publicKey: KeyObject } =>
  suite === 'HPKE-X25519-SHA256-ChaCha20Poly1305'
    ? generateKeyPairSync('x25519')
    : generateKeyPairSync('ec', {
        namedCurve: suite === 'HPKE-P256-SHA256-A256GCM' ? 'P-256' : 'P-384',
      });

async function rejectsWith(promise: Promise<unknown>, code: LoginErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof LoginError, String(err));
    assert.equal(err.code, code);
    return true;
  });
}

/** Re-encodes the protected header (the AAD changes, so only pre-decryption checks apply). */
function withHeader(jwe: string, edit: (h: Record<string, unknown>) => void): string {
  const [h, ...rest] = jwe.split('.');
  const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
  edit(header);
  return [Buffer.from(JSON.stringify(header)).toString('base64url'), ...rest].join('.');
}

const flipLast = (b64: string): string => {
  const bytes = Buffer.from(b64, 'base64url');
  bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
  return bytes.toString('base64url');
};

const MODES = [
  { name: 'Base', psk: false, auth: false },
  { name: 'PSK', psk: true, auth: false },
  { name: 'Auth', psk: false, auth: true },
  { name: 'AuthPSK', psk: true, auth: true },
] as const;

describe('HPKE login response round trip (IdP → device)', () => {
  for (const suite of HPKE_SUITES) {
    for (const mode of MODES) {
      test(`${suite}, ${mode.name} mode`, async () => {
        const device = keyPair(suite);
        const idp = keyPair(suite);
        const jwe = await encryptHpkeResponse(BODY, {
          suite,
          recipientPublicKey: device.publicKey,
          info: NONCE,
          kid: hpkeKeyId(device.publicKey),
          ...(mode.psk ? { psk: PSK } : {}),
          ...(mode.auth ? { senderPrivateKey: idp.privateKey } : {}),
        });
        const parts = jwe.split('.');
        assert.equal(parts.length, 5);
        assert.notEqual(parts[1], '', 'the encapsulated key is in the encrypted-key slot');
        assert.equal(parts[2], '', 'no IV');
        assert.equal(parts[4], '', 'the tag is inside the ciphertext');
        const res = await decryptLoginResponse(jwe, {
          encryptionPrivateKey: device.privateKey,
          hpke: {
            privateKey: device.privateKey,
            info: NONCE,
            ...(mode.psk ? { psk: PSK } : {}),
            ...(mode.auth ? { authPublicKey: idp.publicKey } : {}),
          },
        });
        assert.equal(res.idToken, 'h.p.s');
        assert.equal(res.refreshTokenExpiresIn, 3600);
        assert.deepEqual(
          { alg: res.protectedHeader.alg, enc: res.protectedHeader.enc },
          { alg: suite, enc: 'dir' },
        );
        assert.equal(res.protectedHeader.kid, hpkeKeyId(device.publicKey));
      });
    }
  }
});

describe('HPKE encapsulated-key placement tolerance', () => {
  const suite = 'HPKE-P256-SHA256-A256GCM';
  const device = keyPair(suite);
  const hpke = { privateKey: device.privateKey, info: NONCE };
  const opts = { encryptionPrivateKey: device.privateKey, hpke };

  test('an `ek` header parameter (encrypted-key slot empty) is accepted', async () => {
    const jwe = await encryptHpkeResponse(BODY, {
      suite,
      recipientPublicKey: device.publicKey,
      info: NONCE,
      ekPlacement: 'header',
    });
    assert.equal(jwe.split('.')[1], '');
    assert.equal((await decryptLoginResponse(jwe, opts)).refreshToken, 'rt');
  });

  test('a tag split into the tag segment is accepted', async () => {
    const jwe = await encryptHpkeResponse(BODY, {
      suite,
      recipientPublicKey: device.publicKey,
      info: NONCE,
    });
    const [h, ek, iv, ct] = jwe.split('.') as [string, string, string, string];
    const bytes = Buffer.from(ct, 'base64url');
    const split = [
      h,
      ek,
      iv,
      bytes.subarray(0, -16).toString('base64url'),
      bytes.subarray(-16).toString('base64url'),
    ].join('.');
    assert.equal((await decryptLoginResponse(split, opts)).idToken, 'h.p.s');
  });

  test('attack: two different encapsulated keys → FORMAT', async () => {
    const jwe = await encryptHpkeResponse(BODY, {
      suite,
      recipientPublicKey: device.publicKey,
      info: NONCE,
    });
    const other = keyPair(suite).publicKey.export({ format: 'jwk' });
    const bogus = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(other.x ?? '', 'base64url'),
      Buffer.from(other.y ?? '', 'base64url'),
    ]).toString('base64url');
    await rejectsWith(
      decryptLoginResponse(
        withHeader(jwe, (h) => {
          h.ek = bogus;
        }),
        opts,
      ),
      'PSSO_ERR_LOGIN_RESPONSE_FORMAT',
    );
  });

  test('no encapsulated key at all → FORMAT; an IV → FORMAT', async () => {
    const jwe = await encryptHpkeResponse(BODY, {
      suite,
      recipientPublicKey: device.publicKey,
      info: NONCE,
    });
    const p = jwe.split('.');
    await rejectsWith(
      decryptLoginResponse([p[0], '', '', p[3], ''].join('.'), opts),
      'PSSO_ERR_LOGIN_RESPONSE_FORMAT',
    );
    await rejectsWith(
      decryptLoginResponse([p[0], p[1], 'AAAAAAAAAAAAAAAA', p[3], ''].join('.'), opts),
      'PSSO_ERR_LOGIN_RESPONSE_FORMAT',
    );
  });
});

describe('HPKE login response refusals', () => {
  const suite = 'HPKE-X25519-SHA256-ChaCha20Poly1305';
  const device = keyPair(suite);
  const opts = {
    encryptionPrivateKey: device.privateKey,
    hpke: { privateKey: device.privateKey, info: NONCE },
  };
  const seal = (o: Partial<Parameters<typeof encryptHpkeResponse>[1]> = {}) =>
    encryptHpkeResponse(BODY, { suite, recipientPublicKey: device.publicKey, info: NONCE, ...o });

  test('attack: encrypted to another key → DECRYPT', async () => {
    const jwe = await seal({ recipientPublicKey: keyPair(suite).publicKey });
    await rejectsWith(decryptLoginResponse(jwe, opts), 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT');
  });

  test('attack: replayed to another request (info = another nonce) → DECRYPT', async () => {
    const jwe = await seal({ info: 'A0A0A0A0-0000-4000-8000-000000000000' });
    await rejectsWith(decryptLoginResponse(jwe, opts), 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT');
  });

  test('attack: tampered tag → DECRYPT; tampered header (AAD) → DECRYPT', async () => {
    const jwe = await seal();
    const p = jwe.split('.') as [string, string, string, string, string];
    await rejectsWith(
      decryptLoginResponse([p[0], p[1], '', flipLast(p[3]), ''].join('.'), opts),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
    await rejectsWith(
      decryptLoginResponse(
        withHeader(jwe, (h) => {
          h.kid = 'x';
        }),
        opts,
      ),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
  });

  test('PSK mismatch (IdP PSK, device none; device PSK, IdP none; other PSK) → DECRYPT', async () => {
    await rejectsWith(
      decryptLoginResponse(await seal({ psk: PSK }), opts),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
    await rejectsWith(
      decryptLoginResponse(await seal(), { ...opts, hpke: { ...opts.hpke, psk: PSK } }),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
    const other = { id: PSK.id, key: new Uint8Array(32).fill(8) };
    await rejectsWith(
      decryptLoginResponse(await seal({ psk: PSK }), {
        ...opts,
        hpke: { ...opts.hpke, psk: other },
      }),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
  });

  test('attack: Auth mode from another sender → DECRYPT', async () => {
    const idp = keyPair(suite);
    const jwe = await seal({ senderPrivateKey: keyPair(suite).privateKey });
    await rejectsWith(
      decryptLoginResponse(jwe, { ...opts, hpke: { ...opts.hpke, authPublicKey: idp.publicKey } }),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
  });

  test('alg/enc mismatch (HPKE with A256GCM), unknown suite, zip → ALGORITHM', async () => {
    const jwe = await seal();
    for (const edit of [
      (h: Record<string, unknown>) => {
        h.enc = 'A256GCM';
      },
      (h: Record<string, unknown>) => {
        h.alg = 'HPKE-P521-SHA512-A256GCM';
      },
      (h: Record<string, unknown>) => {
        h.zip = 'DEF';
      },
    ])
      await rejectsWith(
        decryptLoginResponse(withHeader(jwe, edit), opts),
        'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
      );
  });

  test('a suite of another key type than the device key → ALGORITHM', async () => {
    const p256 = keyPair('HPKE-P256-SHA256-A256GCM');
    const jwe = await encryptHpkeResponse(BODY, {
      suite: 'HPKE-P256-SHA256-A256GCM',
      recipientPublicKey: p256.publicKey,
      info: NONCE,
    });
    await rejectsWith(decryptLoginResponse(jwe, opts), 'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM');
  });

  test('HPKE to an ECDH-ES device, and ECDH-ES to an HPKE-only device → ALGORITHM', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const apv = loginApv(ec.publicKey, NONCE).base64url;
    const hpkeJwe = await encryptHpkeResponse(BODY, {
      suite: 'HPKE-P256-SHA256-A256GCM',
      recipientPublicKey: ec.publicKey,
      info: NONCE,
    });
    await rejectsWith(
      decryptLoginResponse(hpkeJwe, { encryptionPrivateKey: ec.privateKey, apv }),
      'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
    );
    const ecdhJwe = await encryptLoginResponse(BODY, {
      deviceEncryptionPublicKey: ec.publicKey,
      apv,
    });
    await rejectsWith(
      decryptLoginResponse(ecdhJwe, {
        encryptionPrivateKey: ec.privateKey,
        hpke: { privateKey: ec.privateKey, info: NONCE },
      }),
      'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM',
    );
  });

  test('caller misuse: a short PSK or a long info is a TypeError at the IdP', async () => {
    await assert.rejects(seal({ psk: { id: PSK.id, key: new Uint8Array(16) } }), TypeError);
    await assert.rejects(seal({ psk: { id: new Uint8Array(0), key: PSK.key } }), TypeError);
    await assert.rejects(seal({ info: 'x'.repeat(129) }), TypeError);
  });
});
