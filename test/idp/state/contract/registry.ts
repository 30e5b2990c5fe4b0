/**
 * Behaviour every backend must have for what operators register (SQLite, PostgreSQL): relying
 * parties, Platform SSO devices, users' Secure Enclave keys, trusted SmartCard CAs.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { IdpError } from '../../../../packages/psso-wstrust/src/errors.ts';
import { keyId } from '../../../../packages/psso-wstrust/src/jose/key-id.ts';
import { assertCode } from '../../../helpers/assert-code.ts';
import { makeCa } from '../../../helpers/smartcard.ts';
import { type StateFixture, withState } from './fixture.ts';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicJwk = (k: ReturnType<typeof p256>) => k.publicKey.export({ format: 'jwk' });
const MS = { identifier: 'urn:federation:MicrosoftOnline', samlVersion: '1.1' } as const;

export function registryContract(fx: StateFixture): void {
  describe(`relying parties (${fx.name})`, () => {
    test('seeded once; get, upsert, list; recipient stored, changed and cleared', async () => {
      const where = await fx.fresh();
      await withState(where, async ({ relyingParties: rps }) => {
        assert.deepEqual(await rps.list(), [MS]);
        assert.equal(await rps.get('urn:federation:microsoftonline'), undefined);
        await rps.upsert({ identifier: 'urn:example:app', samlVersion: '2.0' });
        await rps.upsert({ ...MS, samlVersion: '2.0' });
        assert.deepEqual(await rps.get(MS.identifier), { ...MS, samlVersion: '2.0' });
        assert.deepEqual(
          (await rps.list()).map((rp) => rp.identifier),
          ['urn:example:app', MS.identifier],
        );
        const sp = {
          identifier: 'urn:sp',
          samlVersion: '2.0',
          recipient: 'https://sp/acs',
        } as const;
        await rps.upsert(sp);
        assert.deepEqual(await rps.get('urn:sp'), sp);
        await rps.upsert({ identifier: 'urn:sp', samlVersion: '2.0' });
        assert.deepEqual(await rps.get('urn:sp'), { identifier: 'urn:sp', samlVersion: '2.0' });
      });
      await withState(where, async ({ relyingParties: rps }) => {
        assert.equal((await rps.get('urn:example:app'))?.samlVersion, '2.0');
        assert.equal((await rps.list()).length, 3, 'the seed is not added again');
      });
    });

    test('a bad identifier, version or recipient is a TypeError', async () => {
      await withState(await fx.fresh(), async ({ relyingParties: rps }) => {
        const bad = { identifier: 'urn:x', samlVersion: '3.0' } as unknown as Parameters<
          typeof rps.upsert
        >[0];
        await assert.rejects(rps.upsert(bad), TypeError);
        await assert.rejects(rps.upsert({ identifier: '', samlVersion: '1.1' }), TypeError);
        await assert.rejects(rps.upsert({ identifier: 'a\nb', samlVersion: '1.1' }), TypeError);
        await assert.rejects(
          rps.upsert({ identifier: 'urn:a', samlVersion: '1.1', recipient: 'https://x/acs' }),
          TypeError,
        );
        for (const recipient of ['/psso/token', 'urn:x', 'https://x/\n', 'javascript:alert(1)'])
          await assert.rejects(
            rps.upsert({ identifier: 'urn:a', samlVersion: '2.0', recipient }),
            TypeError,
          );
      });
    });
  });

  describe(`devices (${fx.name})`, () => {
    test('add, get by signing kid, list, re-register, remove', async () => {
      await withState(await fx.fresh(), async ({ devices }) => {
        const signing = p256();
        const encryption = p256();
        const d = await devices.add(
          'psso',
          publicJwk(signing),
          JSON.stringify(publicJwk(encryption)),
        );
        assert.equal(d.signingKid, keyId(signing.publicKey));
        assert.equal(d.encryptionKid, keyId(encryption.publicKey));
        assert.equal(d.encryptionAlg, 'ECDH-ES');
        const got = await devices.get(d.signingKid);
        assert.equal(got?.clientId, 'psso');
        assert.ok(got?.signingKey.equals(signing.publicKey));
        const again = await devices.add('other', publicJwk(signing), publicJwk(p256()));
        assert.equal((await devices.get(d.signingKid))?.clientId, 'other');
        assert.notEqual(again.encryptionKid, d.encryptionKid);
        assert.equal((await devices.list()).length, 1);
        await devices.remove(d.signingKid);
        assert.equal(await devices.get(d.signingKid), undefined);
        await assertCode(devices.remove(d.signingKid), 'PSSO_ERR_IDP_USER_NOT_FOUND');
      });
    });

    test('an HPKE device keeps its suite and key type', async () => {
      await withState(await fx.fresh(), async ({ devices }) => {
        const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
        const d = await devices.add(
          'psso',
          publicJwk(p256()),
          x25519,
          'HPKE-X25519-SHA256-ChaCha20Poly1305',
        );
        const got = await devices.get(d.signingKid);
        assert.equal(got?.encryptionAlg, 'HPKE-X25519-SHA256-ChaCha20Poly1305');
        assert.equal(got?.encryptionKey.asymmetricKeyType, 'x25519');
        assert.equal(got?.encryptionKid, d.encryptionKid);
      });
    });

    test('a private JWK, another curve, RSA, a point off the curve, bad JSON or client id: PSSO_ERR_IDP_REGISTRATION_INVALID', async () => {
      await withState(await fx.fresh(), async ({ devices }) => {
        const refused = (run: Promise<unknown>) =>
          assertCode(run, 'PSSO_ERR_IDP_REGISTRATION_INVALID', IdpError);
        const priv = p256().privateKey.export({ format: 'jwk' });
        await refused(devices.add('psso', priv, publicJwk(p256())));
        const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
          format: 'jwk',
        });
        await refused(devices.add('psso', p384, publicJwk(p256())));
        const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
          format: 'jwk',
        });
        await refused(devices.add('psso', publicJwk(p256()), rsa));
        const offCurve = { ...publicJwk(p256()), y: publicJwk(p256()).x };
        await refused(devices.add('psso', offCurve, publicJwk(p256())));
        await refused(devices.add('psso', '{not json', publicJwk(p256())));
        await refused(devices.add('', publicJwk(p256()), publicJwk(p256())));
        await refused(devices.add('psso', publicJwk(p256()), publicJwk(p256()), 'HPKE-NOPE'));
        assert.equal((await devices.list()).length, 0, 'nothing registered');
      });
    });
  });

  describe(`user keys (${fx.name})`, () => {
    test('one user per key; unknown users refused; keys go with their user', async () => {
      await withState(await fx.fresh(), async ({ users, userKeys }) => {
        await users.add('alice@example.com', 'pw');
        await users.add('bob@example.com', 'pw');
        const key = p256();
        const jwk = publicJwk(key);
        await assertCode(userKeys.add('nobody@example.com', jwk), 'PSSO_ERR_IDP_USER_NOT_FOUND');
        const added = await userKeys.add('alice@example.com', jwk);
        assert.equal(added.kid, keyId(key.publicKey));
        assert.equal((await userKeys.add('ALICE@example.com', jwk)).kid, added.kid, 'idempotent');
        const e = await assertCode(
          userKeys.add('bob@example.com', jwk),
          'PSSO_ERR_IDP_REGISTRATION_INVALID',
          IdpError,
        );
        assert.match(e.message, /another user/);
        await assertCode(
          userKeys.add('bob@example.com', { ...jwk, d: 'x' }),
          'PSSO_ERR_IDP_REGISTRATION_INVALID',
          IdpError,
        );
        await userKeys.add('bob@example.com', publicJwk(p256()));
        assert.deepEqual(
          (await userKeys.list('Alice@Example.COM')).map((k) => k.kid),
          [added.kid],
        );
        assert.equal((await userKeys.list()).length, 2);
        assert.equal((await userKeys.get(added.kid))?.upn, 'alice@example.com');
        assert.ok((await userKeys.get(added.kid))?.publicKey.equals(key.publicKey));
        await users.remove('alice@example.com');
        assert.equal(await userKeys.get(added.kid), undefined);
        await assertCode(userKeys.remove(added.kid), 'PSSO_ERR_IDP_USER_NOT_FOUND');
        const bobs = (await userKeys.list('bob@example.com'))[0]?.kid as string;
        await userKeys.remove(bobs);
        assert.equal((await userKeys.list()).length, 0);
      });
    });
  });

  describe(`SmartCard CAs (${fx.name})`, () => {
    test('add (twice is once), list, certificates, remove by fingerprint in any form', async () => {
      const ca = await makeCa('CN=Contract SmartCard CA');
      await withState(await fx.fresh(), async ({ smartCardCas }) => {
        const added = await smartCardCas.add(ca.pem);
        await smartCardCas.add(ca.pem);
        assert.match(added.fingerprint, /^[0-9A-F]{64}$/);
        assert.equal(added.subject, 'CN=Contract SmartCard CA');
        assert.deepEqual(
          (await smartCardCas.list()).map((c) => c.fingerprint),
          [added.fingerprint],
        );
        assert.equal((await smartCardCas.certificates()).length, 1);
        const colons = (added.fingerprint.toLowerCase().match(/../g) ?? []).join(':');
        await smartCardCas.remove(colons);
        assert.equal((await smartCardCas.certificates()).length, 0);
        await assertCode(smartCardCas.remove(added.fingerprint), 'PSSO_ERR_IDP_USER_NOT_FOUND');
        await assert.rejects(smartCardCas.add('not a certificate'), TypeError);
        await assert.rejects(smartCardCas.add(`${ca.pem}\n${ca.pem}`), TypeError);
      });
    });
  });
}
