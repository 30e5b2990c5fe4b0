/**
 * How a password login carries the password (docs/PLATFORM-SSO.md §3.10): the `password` claim, or an
 * encrypted embedded assertion when the configuration has `loginRequestEncryptionPublicKey`.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { parseEmbeddedApv } from '../../../packages/psso-wstrust/src/jose/embedded-apv.ts';
import { parseLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/types.ts';
import { passwordCredential } from '../../../packages/psso-wstrust/src/psso/flow/encrypted-password.ts';
import { base } from '../config/fixtures.ts';

const idp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const context = {
  username: 'bob@managed.example',
  password: 'pw',
  nonce: 'DDF68171-409D-4E2C-91F0-9E42D7745365',
  serverNonce: 'server-nonce',
  scope: 'openid offline_access urn:apple:platformsso',
  now: 1_700_000_000,
};

describe('passwordCredential', () => {
  test('without loginRequestEncryptionPublicKey: the password claim', async () => {
    const config = resolveLoginConfiguration(parseLoginConfiguration(base));
    assert.deepEqual(await passwordCredential(config, context), { password: 'pw' });
  });

  test('with it: an encrypted assertion with the configured prefix, audience and claims', async () => {
    const config = resolveLoginConfiguration(
      parseLoginConfiguration({
        ...base,
        serverNonceClaimName: 'srv',
        audience: 'psso-audience',
        loginRequestEncryptionPublicKey: idp.publicKey.export({ format: 'jwk' }),
        loginRequestEncryptionAPVPrefix: 'EXAMPLECORP',
        customAssertionRequestHeaderClaims: { h: 1 },
        customAssertionRequestBodyClaims: { c: 2 },
      }),
    );
    const credential = await passwordCredential(config, context);
    assert.ok('embeddedAssertion' in credential);
    const jwe = credential.embeddedAssertion;
    const header = decodeProtectedHeader(jwe);
    assert.equal(header.h, 1);
    assert.equal(parseEmbeddedApv(header.apv)?.prefix.toString(), 'EXAMPLECORP');
    assert.equal(parseEmbeddedApv(header.apv)?.serverNonce.toString(), 'server-nonce');
    const { plaintext } = await compactDecrypt(jwe, idp.privateKey);
    const claims = JSON.parse(new TextDecoder().decode(plaintext));
    assert.equal(claims.aud, 'psso-audience');
    assert.equal(claims.srv, 'server-nonce');
    assert.equal(claims.c, 2);
    assert.equal(claims.password, 'pw');
    assert.equal(claims.iat, context.now);
  });
});
