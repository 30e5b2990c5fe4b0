import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IdpError, LoginError } from '../../../src/errors.ts';
import { closeHttpAgents } from '../../../src/http/agents.ts';
import { openIdpStore } from '../../../src/idp/store/index.ts';
import { parseLoginConfiguration } from '../../../src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../src/psso/config/types.ts';
import { fetchServerNonce } from '../../../src/psso/flow/nonce.ts';
import { keyId } from '../../../src/psso/keys/device-keys.ts';
import { startTestIdp, type TestIdp, tempDataDir } from '../../e2e/support.ts';
import { runCli } from '../../helpers/cli.ts';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicJwk = (k: ReturnType<typeof p256>) => k.publicKey.export({ format: 'jwk' });

describe('device registry', () => {
  test('add, get by signing kid (the login JWT kid), list, remove', () => {
    const store = openIdpStore(tempDataDir());
    try {
      const signing = p256();
      const encryption = p256();
      const d = store.devices.add(
        'psso',
        publicJwk(signing),
        JSON.stringify(publicJwk(encryption)),
      );
      assert.equal(d.signingKid, keyId(signing.publicKey));
      assert.equal(d.encryptionKid, keyId(encryption.publicKey));
      assert.equal(store.devices.get(d.signingKid)?.clientId, 'psso');
      assert.equal(store.devices.list().length, 1);
      store.devices.remove(d.signingKid);
      assert.equal(store.devices.get(d.signingKid), undefined);
      assert.throws(() => store.devices.remove(d.signingKid), IdpError);
    } finally {
      store.close();
    }
  });
  test('a private JWK, another curve or RSA is refused', () => {
    const store = openIdpStore(tempDataDir());
    try {
      const priv = p256().privateKey.export({ format: 'jwk' });
      assert.throws(() => store.devices.add('psso', priv, publicJwk(p256())), TypeError);
      const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
        format: 'jwk',
      });
      assert.throws(() => store.devices.add('psso', p384, publicJwk(p256())), TypeError);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
        format: 'jwk',
      });
      assert.throws(() => store.devices.add('psso', publicJwk(p256()), rsa), TypeError);
    } finally {
      store.close();
    }
  });
  test('psso-wstrust idp device add / list', async () => {
    const data = tempDataDir();
    const sign = join(data, 'sign.jwk');
    const enc = join(data, 'enc.jwk');
    const s = p256();
    writeFileSync(sign, JSON.stringify(publicJwk(s)));
    writeFileSync(enc, JSON.stringify(publicJwk(p256())));
    const add = await runCli([
      'idp',
      'device',
      'add',
      '--client-id',
      'psso',
      '--signing-jwk',
      sign,
      '--encryption-jwk',
      enc,
      '--data',
      data,
      '--json',
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(
      (JSON.parse(add.stdout) as { device: { signingKid: string } }).device.signingKid,
      keyId(s.publicKey),
    );
    const list = await runCli(['idp', 'device', 'list', '--data', data, '--json']);
    assert.equal((JSON.parse(list.stdout) as { devices: unknown[] }).devices.length, 1);
    const bad = await runCli([
      'idp',
      'device',
      'add',
      '--client-id',
      'psso',
      '--signing-jwk',
      join(data, 'missing'),
      '--encryption-jwk',
      enc,
      '--data',
      data,
    ]);
    assert.equal(bad.code, 2);
  });
});

describe('POST /psso/nonce on the reference IdP', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp();
  });
  after(async () => {
    await idp.close();
    await closeHttpAgents();
  });
  const config = (url: string) =>
    resolveLoginConfiguration(
      parseLoginConfiguration({
        clientID: 'psso',
        issuer: idp.origin,
        tokenEndpointURL: `${idp.origin}/psso/token`,
        jwksEndpointURL: `${idp.origin}/psso/jwks`,
        nonceEndpointURL: url,
      }),
    );
  test('our client gets a fresh Nonce each time', async () => {
    const c = config(`${idp.origin}/psso/nonce`);
    const a = await fetchServerNonce(c, 'REQ', { ca: idp.caPem });
    const b = await fetchServerNonce(c, 'REQ', { ca: idp.caPem });
    assert.notEqual(a, b);
  });
  test('a request without grant_type=srv_challenge is a 400', async () => {
    const c = resolveLoginConfiguration({
      ...config(`${idp.origin}/psso/nonce`),
      customNonceRequestValues: [],
    });
    const { httpRequest } = await import('../../../src/http/request.ts');
    const r = await httpRequest(
      {
        method: 'POST',
        url: c.nonceEndpointURL,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password',
      },
      { ca: idp.caPem },
    );
    assert.equal(r.status, 400);
    await assert.rejects(
      fetchServerNonce(config(`${idp.origin}/psso/nothing`), 'REQ', { ca: idp.caPem }),
      (e) => e instanceof LoginError && e.status === 404,
    );
  });
});
