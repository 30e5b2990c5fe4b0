import assert from 'node:assert/strict';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { describe, test } from 'node:test';
import { CompactEncrypt, decodeProtectedHeader } from 'jose';
import { LoginError, type LoginErrorCode } from '../../packages/psso-wstrust/src/errors.ts';
import {
  decryptLoginResponse,
  encryptLoginResponse,
} from '../../packages/psso-wstrust/src/jose/login-response.ts';
import {
  ecPointX963,
  loginApv,
  responseApu,
} from '../../packages/psso-wstrust/src/jose/party-info.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import * as V from './apple-vectors.ts';

const keys = generateDeviceKeys();
const NONCE = 'B7F1FC32-9121-4E2A-9E32-8417E03675DD';
const APV = loginApv(keys.encryption.publicKey, NONCE).base64url;
const BODY = {
  id_token: 'h.p.s',
  refresh_token: 'rt',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token_expires_in: 28800,
};
const opts = { encryptionPrivateKey: keys.encryption.privateKey, apv: APV };

const ecKey = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

async function rejectsWith(promise: Promise<unknown>, code: LoginErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof LoginError, String(err));
    assert.equal(err.code, code);
    return true;
  });
}

/** A JWE made directly with jose, to produce headers our encrypter would not. */
async function rawJwe(
  header: Record<string, unknown>,
  params: { apu?: Uint8Array; apv?: Uint8Array },
  body: unknown = BODY,
): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(body)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', ...header })
    .setKeyManagementParameters(params)
    .encrypt(keys.encryption.publicKey);
}

function withHeader(jwe: string, change: (h: Record<string, unknown>) => void): string {
  const parts = jwe.split('.');
  const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'));
  change(header);
  parts[0] = Buffer.from(JSON.stringify(header)).toString('base64url');
  return parts.join('.');
}

describe('encryptLoginResponse / decryptLoginResponse', () => {
  test('round trip, with the header as the system expects it', async () => {
    const jwe = await encryptLoginResponse(BODY, {
      deviceEncryptionPublicKey: keys.encryption.publicKey,
      apv: APV,
      kid: 'k1',
    });
    const header = decodeProtectedHeader(jwe);
    assert.equal(header.alg, 'ECDH-ES');
    assert.equal(header.enc, 'A256GCM');
    assert.equal(header.typ, 'platformsso-login-response+jwt');
    assert.equal(header.kid, 'k1');
    assert.equal(header.apv, APV);
    const epk = header.epk as { x: string; y: string };
    assert.equal(header.apu, responseApu(epk).base64url);
    assert.equal(jwe.split('.')[1], '');
    const res = await decryptLoginResponse(jwe, opts);
    assert.equal(res.idToken, 'h.p.s');
    assert.equal(res.refreshToken, 'rt');
    assert.equal(res.refreshTokenExpiresIn, 28800);
    assert.equal(res.expiresIn, 3600);
    assert.equal(res.tokenType, 'Bearer');
    assert.deepEqual(res.body, BODY);
  });

  test('expires_in is the fallback; numeric strings accepted', async () => {
    const { refresh_token_expires_in: _r, ...body } = { ...BODY, expires_in: '600' };
    const jwe = await encryptLoginResponse(body, {
      deviceEncryptionPublicKey: keys.encryption.publicKey,
      apv: APV,
    });
    assert.equal((await decryptLoginResponse(jwe, opts)).refreshTokenExpiresIn, 600);
  });

  test('apu not echoing the epk is refused (PSSO_ERR_LOGIN_RESPONSE_APU)', async () => {
    const other = responseApu(ecKey()).bytes;
    const jwe = await rawJwe({}, { apu: other, apv: Buffer.from(APV, 'base64url') });
    await rejectsWith(decryptLoginResponse(jwe, opts), 'PSSO_ERR_LOGIN_RESPONSE_APU');
  });

  test('missing apu, malformed apu, missing epk are refused (PSSO_ERR_LOGIN_RESPONSE_APU)', async () => {
    const noApu = await rawJwe({}, { apv: Buffer.from(APV, 'base64url') });
    await rejectsWith(decryptLoginResponse(noApu, opts), 'PSSO_ERR_LOGIN_RESPONSE_APU');
    const shortApu = await rawJwe({}, { apu: Buffer.from([0, 0, 0, 5, 65]) });
    await rejectsWith(decryptLoginResponse(shortApu, opts), 'PSSO_ERR_LOGIN_RESPONSE_APU');
    const good = await encryptLoginResponse(BODY, {
      deviceEncryptionPublicKey: keys.encryption.publicKey,
      apv: APV,
    });
    const noEpk = withHeader(good, (h) => {
      delete h.epk;
    });
    await rejectsWith(decryptLoginResponse(noEpk, opts), 'PSSO_ERR_LOGIN_RESPONSE_APU');
  });

  test('a header apv other than ours is refused (PSSO_ERR_LOGIN_RESPONSE_APV)', async () => {
    const theirs = loginApv(
      keys.encryption.publicKey,
      'AAAAAAAA-0000-0000-0000-000000000000',
    ).base64url;
    const jwe = await encryptLoginResponse(BODY, {
      deviceEncryptionPublicKey: keys.encryption.publicKey,
      apv: theirs,
    });
    await rejectsWith(decryptLoginResponse(jwe, opts), 'PSSO_ERR_LOGIN_RESPONSE_APV');
  });

  test('without a header apv, the KDF uses our apv: a different apv fails to decrypt', async () => {
    // Apple's example response has no header apv; the right apv opens it (apple-vectors.test.ts).
    const key = createPrivateKey({ key: { ...V.ENCRYPTION_JWK }, format: 'jwk' });
    const otherApv = loginApv(createPublicKey(key), 'AAAAAAAA-0000-0000-0000-000000000000');
    await rejectsWith(
      decryptLoginResponse(V.RESPONSE_JWE, { encryptionPrivateKey: key, apv: otherApv.base64url }),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
  });

  test('wrong alg / enc and zip are refused (PSSO_ERR_LOGIN_RESPONSE_ALGORITHM)', async () => {
    const apv = Buffer.from(APV, 'base64url');
    const kw = await new CompactEncrypt(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' })
      .setKeyManagementParameters({ apv })
      .encrypt(keys.encryption.publicKey);
    await rejectsWith(decryptLoginResponse(kw, opts), 'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM');
    const a128 = await rawJwe({ enc: 'A128GCM' }, { apv });
    await rejectsWith(decryptLoginResponse(a128, opts), 'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM');
    const dir = withHeader(a128, (h) => {
      h.alg = 'dir';
      h.enc = 'A256GCM';
    });
    await rejectsWith(decryptLoginResponse(dir, opts), 'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM');
    const good = await encryptLoginResponse(BODY, {
      deviceEncryptionPublicKey: keys.encryption.publicKey,
      apv: APV,
    });
    const zip = withHeader(good, (h) => {
      h.zip = 'DEF';
    });
    await rejectsWith(decryptLoginResponse(zip, opts), 'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM');
  });

  test('tampering and the wrong key fail to decrypt (PSSO_ERR_LOGIN_RESPONSE_DECRYPT)', async () => {
    const jwe = await encryptLoginResponse(BODY, {
      deviceEncryptionPublicKey: keys.encryption.publicKey,
      apv: APV,
    });
    const parts = jwe.split('.');
    const ct = Buffer.from(parts[3] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    await rejectsWith(
      decryptLoginResponse(parts.join('.'), opts),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
    const typChanged = withHeader(jwe, (h) => {
      h.typ = 'JWT';
    });
    await rejectsWith(decryptLoginResponse(typChanged, opts), 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT');
    await rejectsWith(
      decryptLoginResponse(jwe, { ...opts, encryptionPrivateKey: ecKey() }),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
  });

  test('not a compact JWE is refused (PSSO_ERR_LOGIN_RESPONSE_FORMAT)', async () => {
    // An empty body has its own code (PSSO_ERR_LOGIN_RESPONSE_EMPTY): login-response-tolerance.test.ts.
    for (const bad of ['a.b.c', 'a.b.c.d.e', '{"id_token":"x"}', 'a..b.c.d!'])
      await rejectsWith(decryptLoginResponse(bad, opts), 'PSSO_ERR_LOGIN_RESPONSE_FORMAT');
    const jws = await encryptLoginResponse(new TextEncoder().encode('[1]'), {
      deviceEncryptionPublicKey: keys.encryption.publicKey,
      apv: APV,
    });
    await rejectsWith(decryptLoginResponse(jws, opts), 'PSSO_ERR_LOGIN_RESPONSE_FORMAT');
  });

  test('missing or wrong body fields are refused (PSSO_ERR_LOGIN_RESPONSE_FIELDS)', async () => {
    const bodies: Record<string, unknown>[] = [
      { ...BODY, id_token: undefined },
      { ...BODY, refresh_token: '' },
      { id_token: 'a', refresh_token: 'b' },
      { ...BODY, expires_in: -1 },
      { ...BODY, refresh_token_expires_in: 'soon' },
    ];
    for (const body of bodies) {
      const jwe = await encryptLoginResponse(body, {
        deviceEncryptionPublicKey: keys.encryption.publicKey,
        apv: APV,
      });
      await rejectsWith(decryptLoginResponse(jwe, opts), 'PSSO_ERR_LOGIN_RESPONSE_FIELDS');
    }
  });

  test('the epk X9.63 used for the apu check pads nothing for a valid key', () => {
    const pub = keys.encryption.publicJwk;
    assert.equal(ecPointX963(pub).length, 65);
  });
});
