/**
 * HPKE logins end to end (docs/PLATFORM-SSO.md §3.4, §3.7): a device with an HPKE key in its key file
 * sends `jwe_crypto {alg: suite, enc: dir, kid}`, the reference IdP seals the answer with HPKE
 * (info = the request nonce), and the client opens it — for each suite, in Base mode, then in
 * AuthPSK mode (PSK and sender key from the IdP's data folder), plus the mismatches.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadHpkeResponsePolicy } from '../../packages/idp/src/psso/hpke-policy.ts';
import { openIdpState } from '../../packages/idp/src/state/open.ts';
import { LoginError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import {
  HPKE_SUITES,
  type HpkeSuiteName,
} from '../../packages/psso-wstrust/src/jose/hpke/suites.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import { pssoLogin, pssoRefresh } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import {
  type DeviceKeys,
  generateDeviceKeys,
  publicJwk,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { startTestIdp, type TestIdp, tempDataDir } from './support.ts';

const USER = { upn: 'hpke@managed.example', password: 'hpke pw' };
const PSK_B64 = Buffer.alloc(32, 9).toString('base64');

function configFor(idp: TestIdp, extra: Record<string, unknown> = {}) {
  return resolveLoginConfiguration(
    parseLoginConfiguration({
      clientID: 'psso',
      issuer: idp.origin,
      tokenEndpointURL: `${idp.origin}/psso/token`,
      jwksEndpointURL: `${idp.origin}/psso/jwks`,
      nonceEndpointURL: `${idp.origin}/psso/nonce`,
      ...extra,
    }),
  );
}

async function enrolHpke(idp: TestIdp, keys: DeviceKeys, alg?: string): Promise<void> {
  const hpke = keys.hpkeEncryption;
  assert.ok(hpke);
  const store = await openIdpState({ dataDir: idp.dataDir });
  try {
    await store.devices.add(
      'psso',
      publicJwk(keys.signing.publicKey),
      alg === 'ECDH-ES' ? publicJwk(keys.encryption.publicKey) : hpke.publicJwk,
      alg ?? hpke.alg,
    );
    if ((await store.users.get(USER.upn)) === undefined)
      await store.users.add(USER.upn, USER.password);
  } finally {
    await store.close();
  }
}

const login = (idp: TestIdp, keys: DeviceKeys, extra: Record<string, unknown> = {}) =>
  pssoLogin({
    config: configFor(idp, extra),
    username: USER.upn,
    password: USER.password,
    keys,
    http: { ca: idp.caPem },
  });

describe('HPKE login and refresh against the reference IdP, Base mode', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp({ dataDir: tempDataDir() });
  });
  after(async () => {
    await idp.close();
    await closeHttpAgents();
  });

  for (const suite of HPKE_SUITES) {
    test(`${suite}: login then refresh`, async () => {
      const keys = generateDeviceKeys({ hpkeSuite: suite });
      await enrolHpke(idp, keys);
      const r = await login(idp, keys);
      assert.equal(r.idTokenClaims.sub, USER.upn);
      const h = r.response.protectedHeader;
      assert.deepEqual(
        { alg: h.alg, enc: h.enc, kid: h.kid },
        {
          alg: suite,
          enc: 'dir',
          kid: keys.hpkeEncryption?.kid,
        },
      );
      const again = await pssoRefresh({
        config: configFor(idp),
        keys,
        refreshToken: r.response.refreshToken,
        http: { ca: idp.caPem },
      });
      assert.equal(again.response.protectedHeader.alg, suite);
      assert.equal(again.idTokenClaims.sub, USER.upn);
    });
  }

  test('POST /psso/devices registers an HPKE device (encryptionAlg) and refuses a key of another type', async () => {
    const keys = generateDeviceKeys({ hpkeSuite: 'HPKE-P384-SHA384-A256GCM' });
    const token = readFileSync(idp.adminTokenFile, 'utf8').trim();
    const post = (encryptionJwk: unknown) =>
      httpRequest(
        {
          method: 'POST',
          url: `${idp.origin}/psso/devices`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            clientId: 'psso',
            signingJwk: publicJwk(keys.signing.publicKey),
            encryptionJwk,
            encryptionAlg: 'HPKE-P384-SHA384-A256GCM',
          }),
        },
        { ca: idp.caPem },
      );
    assert.equal((await post(publicJwk(keys.encryption.publicKey))).status, 400); // a P-256 key
    const ok = await post(keys.hpkeEncryption?.publicJwk);
    assert.equal(ok.status, 201);
    const body = JSON.parse(Buffer.from(ok.body).toString()) as Record<string, string>;
    assert.equal(body.encryptionAlg, 'HPKE-P384-SHA384-A256GCM');
    assert.equal(body.encryptionKid, keys.hpkeEncryption?.kid);
    const store = await openIdpState({ dataDir: idp.dataDir });
    try {
      if ((await store.users.get(USER.upn)) === undefined)
        await store.users.add(USER.upn, USER.password);
    } finally {
      await store.close();
    }
    assert.equal((await login(idp, keys)).response.protectedHeader.alg, 'HPKE-P384-SHA384-A256GCM');
  });

  test('attack: jwe_crypto not matching the registration (HPKE request, ECDH-ES device) → 400', async () => {
    const keys = generateDeviceKeys({ hpkeSuite: 'HPKE-P256-SHA256-A256GCM' });
    await enrolHpke(idp, keys, 'ECDH-ES');
    await assert.rejects(login(idp, keys), (e: unknown) => {
      assert.ok(e instanceof LoginError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.error, 'invalid_request');
      return true;
    });
  });
});

describe('HPKE AuthPSK mode (IdP hpke.json: a PSK and its sender keys)', () => {
  let idp: TestIdp;
  const suites: readonly HpkeSuiteName[] = HPKE_SUITES;
  before(async () => {
    const dataDir = tempDataDir();
    const file = join(dataDir, 'hpke.json');
    writeFileSync(file, JSON.stringify({ psk: { id: 'psk-1', key: PSK_B64 }, auth: true }));
    chmodSync(file, 0o600);
    idp = await startTestIdp({ dataDir });
  });
  after(async () => {
    await idp.close();
    await closeHttpAgents();
  });

  for (const suite of suites) {
    test(`${suite}: the device configured with the PSK and the IdP's sender key logs in`, async () => {
      const keys = generateDeviceKeys({ hpkeSuite: suite });
      await enrolHpke(idp, keys);
      const policy = await loadHpkeResponsePolicy(idp.dataDir);
      const r = await login(idp, keys, {
        hpkePreSharedKey: PSK_B64,
        hpkePreSharedKeyID: 'psk-1',
        hpkeAuthPublicKey: policy.senderPublicJwk(suite),
      });
      assert.equal(r.idTokenClaims.sub, USER.upn);
    });
  }

  test('PSK mismatch: a device without the PSK cannot open the answer → DECRYPT', async () => {
    const suite = 'HPKE-X25519-SHA256-ChaCha20Poly1305';
    const keys = generateDeviceKeys({ hpkeSuite: suite });
    await enrolHpke(idp, keys);
    const policy = await loadHpkeResponsePolicy(idp.dataDir);
    await assert.rejects(
      login(idp, keys, { hpkeAuthPublicKey: policy.senderPublicJwk(suite) }),
      (e: unknown) => e instanceof LoginError && e.code === 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
  });
});
