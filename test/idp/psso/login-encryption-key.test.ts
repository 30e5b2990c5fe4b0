/**
 * The IdP's login request encryption key (docs/PLATFORM-SSO.md §3.10): created once in the data folder
 * (0600, before the workers), reloaded unchanged, refused when open to other users, and published
 * as a `use: enc` key that id_token verification ignores.
 */
import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { prepareDataDir } from '../../../packages/idp/src/cluster.ts';
import { DEFAULT_CONFIG } from '../../../packages/idp/src/config.ts';
import { idTokenKey } from '../../../packages/idp/src/psso/keys.ts';
import {
  LOGIN_ENCRYPTION_KEY_FILE,
  loadOrCreateLoginEncryptionKey,
  loginRequestEncryptionPublicKey,
} from '../../../packages/idp/src/psso/login-encryption-key.ts';
import { IdpError } from '../../../packages/psso-wstrust/src/errors.ts';
import { loginRequestEncryptionKey } from '../../../packages/psso-wstrust/src/jose/embedded-apv.ts';
import { verifyIdToken } from '../../../packages/psso-wstrust/src/jose/id-token.ts';
import { x963 } from '../../../packages/psso-wstrust/src/jose/key-id.ts';
import { tempDataDir } from '../../e2e/support.ts';
import { testSigningMaterial } from '../../helpers/signing.ts';

describe('login request encryption key file', () => {
  test('created 0600 on first use, then the same key every time (also under concurrency)', async () => {
    const dir = tempDataDir();
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateLoginEncryptionKey(dir)));
    const file = join(dir, LOGIN_ENCRYPTION_KEY_FILE);
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    const kids = new Set(keys.map((k) => k.kid));
    assert.equal(kids.size, 1, 'concurrent creators converge on one key');
    const again = await loadOrCreateLoginEncryptionKey(dir);
    assert.equal(again.kid, keys[0]?.kid);
    assert.deepEqual(again.x963, x963(again.privateKey));
  });

  test('prepareDataDir creates it before the workers fork', async () => {
    const dir = tempDataDir();
    await prepareDataDir(dir, { ...DEFAULT_CONFIG, relyingParties: [] });
    assert.ok(statSync(join(dir, LOGIN_ENCRYPTION_KEY_FILE)).isFile());
  });

  test('a key file open to other users is refused with the chmod that fixes it', async () => {
    const dir = tempDataDir();
    await loadOrCreateLoginEncryptionKey(dir);
    const file = join(dir, LOGIN_ENCRYPTION_KEY_FILE);
    chmodSync(file, 0o644);
    await assert.rejects(loadOrCreateLoginEncryptionKey(dir), (e: unknown) => {
      assert.ok(e instanceof IdpError);
      assert.equal(e.code, 'PSSO_ERR_IDP_KEY_FILE_MODE');
      assert.ok(e.message.endsWith(`chmod 600 ${file}`));
      return true;
    });
  });

  test('a file that is not a P-256 private key is PSSO_ERR_IDP_DATA_DIR', async () => {
    const dir = tempDataDir();
    const file = join(dir, LOGIN_ENCRYPTION_KEY_FILE);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    await assert.rejects(loadOrCreateLoginEncryptionKey(dir), { code: 'PSSO_ERR_IDP_DATA_DIR' });
  });
});

describe('published key', () => {
  test('JWK: public EC P-256, use enc, alg ECDH-ES, thumbprint kid; the client config check accepts it', async () => {
    const key = await loadOrCreateLoginEncryptionKey(tempDataDir());
    const jwk = loginRequestEncryptionPublicKey({ loginRequestEncryption: key });
    assert.deepEqual(Object.keys(jwk ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.equal(jwk?.use, 'enc');
    assert.equal(jwk?.alg, 'ECDH-ES');
    assert.equal(jwk?.kid, key.kid);
    assert.deepEqual(x963(loginRequestEncryptionKey(jwk)), key.x963);
    assert.equal(loginRequestEncryptionPublicKey({}), undefined);
  });

  test('id_token verification picks the signing key, never the enc key (even when its kid is named)', async () => {
    const key = await loadOrCreateLoginEncryptionKey(tempDataDir());
    const signing = await idTokenKey((await testSigningMaterial()).privateKey);
    const jwks = { keys: [key.publicJwk, signing.publicJwk] };
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'https://idp.test', aud: 'psso', sub: 'bob', iat: now, exp: now + 60 };
    const good = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: signing.kid })
      .sign(signing.privateKey);
    const v = await verifyIdToken(good, { jwks, issuer: 'https://idp.test', clientId: 'psso' });
    assert.equal(v.payload.sub, 'bob');
    // An id_token signed with the encryption key and naming its kid is not accepted.
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .sign(key.privateKey);
    await assert.rejects(
      verifyIdToken(forged, { jwks, issuer: 'https://idp.test', clientId: 'psso' }),
      { code: 'PSSO_ERR_JWKS' },
    );
  });
});
