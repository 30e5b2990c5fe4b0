/**
 * `exportIdpKeys` / `importIdpKeys`: a round trip, two hosts made interchangeable by a bundle (a
 * login whose server nonce comes from B, its SAML assertion from B's STS, its token from A, its
 * id_token verified with B's JWKS), and every refusal of a bad bundle or a folder with other keys
 * — nothing written — with the file modes an import leaves.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportIdpKeys, importIdpKeys } from '../../../packages/idp/src/keys/bundle.ts';
import {
  type IdpKeyBundle,
  keysDigest,
  makeKeyBundle,
  parseKeyBundle,
  serializeKeyBundle,
} from '../../../packages/idp/src/keys/bundle-format.ts';
import { PKI_FILES } from '../../../packages/idp/src/pki.ts';
import { IdpError } from '../../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../../packages/psso-wstrust/src/http/request.ts';
import { parseLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/types.ts';
import { pssoLogin } from '../../../packages/psso-wstrust/src/psso/flow/login.ts';
import { generateDeviceKeys } from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { CONFIG, enrol, startTestIdp, type TestIdp, tempDataDir } from '../../e2e/support.ts';
import { assertCode } from '../../helpers/assert-code.ts';

/** One issuer for both hosts: each trusts assertions naming it (AD FS farms share one too). */
const SHARED = { ...CONFIG, issuer: 'https://idp.example/adfs/services/trust' };

let dirA: string;
let bundle: IdpKeyBundle;
let a: TestIdp;
before(async () => {
  dirA = tempDataDir();
  a = await startTestIdp({ dataDir: dirA, config: SHARED });
  bundle = await exportIdpKeys(dirA);
});
after(async () => {
  await a.close();
  await closeHttpAgents();
});

const fileModes = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => !f.startsWith('.') && !f.startsWith('idp.sqlite'))
      .map((f) => [f, (statSync(join(dir, f)).mode & 0o777).toString(8)]),
  );
const get = async (idp: TestIdp, path: string) =>
  JSON.parse(
    Buffer.from(
      (await httpRequest({ method: 'GET', url: `${idp.origin}${path}` }, { ca: a.caPem })).body,
    ).toString('utf8'),
  ) as unknown;

describe('export and import', () => {
  test('a round trip: every key file, secrets 0600, certificates 0644; again, nothing changes', async () => {
    const dirB = join(tempDataDir(), 'new-host');
    const r = await importIdpKeys(dirB, serializeKeyBundle(bundle));
    assert.deepEqual(r.replaced, []);
    assert.deepEqual(r.unchanged, []);
    assert.deepEqual(fileModes(dirB), {
      'admin-token': '600',
      'ca-key.pem': '600',
      'ca.pem': '644',
      'key-context-key': '600',
      'login-encryption-key.pem': '600',
      'nonce-key': '600',
      'signing-cert.pem': '644',
      'signing-key.pem': '600',
    });
    assert.equal(statSync(dirB).mode & 0o777, 0o700);
    for (const f of r.created)
      assert.equal(readFileSync(join(dirB, f), 'utf8'), readFileSync(join(dirA, f), 'utf8'), f);
    const again = await exportIdpKeys(dirB);
    assert.equal(again.digest, bundle.digest);
    const twice = await importIdpKeys(dirB, bundle);
    assert.deepEqual(twice.created, []);
    assert.equal(twice.unchanged.length, 8);
    assert.match(r.summary.signingFingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test('host B with imported keys: its nonces, assertions and JWKS are host A’s', async () => {
    const dirB = tempDataDir();
    await importIdpKeys(dirB, bundle);
    const b = await startTestIdp({ dataDir: dirB, config: SHARED });
    try {
      assert.equal(b.caPem, a.caPem);
      assert.equal(b.signingCertPem, a.signingCertPem);
      assert.deepEqual(await get(b, '/psso/jwks'), await get(a, '/psso/jwks'));
      // The device is registered on A only; B answers the nonce and the federated login (its STS
      // signs the assertion), A checks both and issues the token, B's JWKS verifies it.
      const keys = generateDeviceKeys();
      await enrol(dirA, keys);
      const config = resolveLoginConfiguration(
        parseLoginConfiguration({
          clientID: 'psso',
          issuer: a.origin,
          tokenEndpointURL: `${a.origin}/psso/token`,
          jwksEndpointURL: `${b.origin}/psso/jwks`,
          nonceEndpointURL: `${b.origin}/psso/nonce`,
          federationType: 'wsTrust',
          federationRequestURN: 'urn:federation:MicrosoftOnline',
          federationMEXURL: b.mexUrl,
        }),
      );
      const login = await pssoLogin({
        config,
        username: b.demoUser.upn,
        password: b.password,
        keys,
        http: { ca: a.caPem }, // one CA: B's TLS certificate was issued by A's CA
      });
      assert.equal(login.federated, true);
      assert.equal(login.idTokenClaims.sub, a.demoUser.upn);
    } finally {
      await b.close();
    }
  });

  test('without the IdP ever started: PSSO_ERR_IDP_KEYS_MISSING, naming the files', async () => {
    const e = await assertCode(exportIdpKeys(tempDataDir()), 'PSSO_ERR_IDP_KEYS_MISSING', IdpError);
    assert.match(e.message, /ca-key\.pem.*signing-key\.pem.*nonce-key/);
  });

  test('a secret other users may read is not exported', async () => {
    const dir = tempDataDir();
    await importIdpKeys(dir, bundle);
    await chmod(join(dir, 'nonce-key'), 0o644);
    await assertCode(exportIdpKeys(dir), 'PSSO_ERR_IDP_KEY_FILE_MODE', IdpError);
  });
});

describe('refused bundles: nothing is written', () => {
  const text = () => serializeKeyBundle(bundle);
  const refused = async (input: string, code: Parameters<typeof assertCode>[1]) => {
    const dir = join(tempDataDir(), 'target');
    await assertCode(importIdpKeys(dir, input), code, IdpError);
    assert.equal(existsSync(dir), false, 'the folder was not even created');
  };
  /** A bundle whose keys were changed, with a digest made again to match. */
  const resealed = (change: (keys: Record<string, unknown>) => void): string => {
    const keys = structuredClone(bundle.keys) as unknown as Record<string, unknown>;
    change(keys);
    return serializeKeyBundle(makeKeyBundle(keys as never, new Date()));
  };

  test('not JSON, not a bundle, a field missing: PSSO_ERR_IDP_KEY_BUNDLE_FORMAT', async () => {
    await refused('{"format"', 'PSSO_ERR_IDP_KEY_BUNDLE_FORMAT');
    await refused('[]', 'PSSO_ERR_IDP_KEY_BUNDLE_FORMAT');
    await refused(
      JSON.stringify({ ...bundle, format: 'something-else' }),
      'PSSO_ERR_IDP_KEY_BUNDLE_FORMAT',
    );
    const { adminToken: _, ...noToken } = bundle.keys;
    await refused(JSON.stringify({ ...bundle, keys: noToken }), 'PSSO_ERR_IDP_KEY_BUNDLE_FORMAT');
    await refused(' '.repeat(1024 * 1024 + 1), 'PSSO_ERR_IDP_KEY_BUNDLE_FORMAT');
  });

  test('tampered (one character of a key changed): the digest refuses it', async () => {
    const nonce = bundle.keys.serverNonceKey;
    const flipped = `${nonce[0] === 'A' ? 'B' : 'A'}${nonce.slice(1)}`;
    const tampered = text().replace(nonce, flipped);
    assert.notEqual(tampered, text());
    await refused(tampered, 'PSSO_ERR_IDP_KEY_BUNDLE_FORMAT');
  });

  test('another version: PSSO_ERR_IDP_KEY_BUNDLE_VERSION', async () => {
    await refused(JSON.stringify({ ...bundle, version: 2 }), 'PSSO_ERR_IDP_KEY_BUNDLE_VERSION');
  });

  test('a certificate not matching its key, a key that does not parse or is too short: PSSO_ERR_IDP_KEY_BUNDLE_INVALID', async () => {
    const code = 'PSSO_ERR_IDP_KEY_BUNDLE_INVALID';
    const ca = bundle.keys.ca.certificate;
    await refused(
      resealed((k) => {
        k.signing = { ...bundle.keys.signing, certificate: ca };
      }),
      code,
    );
    await refused(
      resealed((k) => {
        k.loginEncryptionKey = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
      }),
      code,
    );
    await refused(
      resealed((k) => {
        k.keyContextKey = 'c2hvcnQ';
      }),
      code,
    );
    await refused(
      resealed((k) => {
        k.ca = bundle.keys.signing; // an RSA self-signed leaf is no CA
      }),
      code,
    );
    await refused(
      resealed((k) => {
        k.hpkeSettings = { auth: true };
      }),
      code,
    );
    const e = await assertCode(
      importIdpKeys(
        tempDataDir(),
        resealed((k) => {
          k.signing = { ...bundle.keys.signing, certificate: ca };
        }),
      ),
      code,
      IdpError,
    );
    assert.doesNotMatch(e.message, /BEGIN|PRIVATE/, 'no key material in the message');
  });

  test('parseKeyBundle checks a bundle object like its text', () => {
    assert.equal(parseKeyBundle(text()).digest, keysDigest(bundle.keys));
  });
});

describe('a folder with other keys', () => {
  test('refused (PSSO_ERR_IDP_KEY_BUNDLE_CONFLICT, files untouched) unless force; then its TLS certificate is re-issued from the new CA', async () => {
    const dirC = tempDataDir();
    const c = await startTestIdp({ dataDir: dirC, config: SHARED });
    await c.close();
    const before = readFileSync(join(dirC, PKI_FILES.signingKey), 'utf8');
    const e = await assertCode(
      importIdpKeys(dirC, bundle),
      'PSSO_ERR_IDP_KEY_BUNDLE_CONFLICT',
      IdpError,
    );
    assert.match(e.message, /ca-key\.pem.*signing-key\.pem.*nonce-key.*admin-token/);
    assert.equal(readFileSync(join(dirC, PKI_FILES.signingKey), 'utf8'), before);
    writeFileSync(join(dirC, 'hpke.json'), '{}\n', { mode: 0o600 });
    const r = await importIdpKeys(dirC, bundle, { force: true });
    assert.equal(r.replaced.length, 8);
    assert.deepEqual(r.removed, ['hpke.json']);
    assert.equal(existsSync(join(dirC, 'hpke.json')), false);
    assert.equal(statSync(join(dirC, PKI_FILES.signingKey)).mode & 0o777, 0o600);
    const again = await startTestIdp({ dataDir: dirC, config: SHARED });
    try {
      assert.equal(again.caPem, a.caPem);
      assert.equal(again.signingCertPem, a.signingCertPem);
      assert.deepEqual(await get(again, '/psso/jwks'), await get(a, '/psso/jwks'));
    } finally {
      await again.close();
    }
  });

  test('HPKE Auth mode: the sender keys travel with the settings', async () => {
    const dirD = tempDataDir();
    await importIdpKeys(dirD, bundle);
    writeFileSync(join(dirD, 'hpke.json'), '{"auth": true}\n', { mode: 0o600 });
    const d = await startTestIdp({ dataDir: dirD, config: SHARED }); // makes the sender keys
    await d.close();
    const withHpke = await exportIdpKeys(dirD);
    assert.deepEqual(withHpke.keys.hpkeSettings, { auth: true });
    assert.ok(withHpke.keys.hpkeSenderKeys?.X25519 !== undefined);
    const dirE = tempDataDir();
    const r = await importIdpKeys(dirE, withHpke);
    assert.ok(r.created.includes('hpke-sender-keys.json') && r.created.includes('hpke.json'));
    assert.equal(statSync(join(dirE, 'hpke-sender-keys.json')).mode & 0o777, 0o600);
    assert.equal((await exportIdpKeys(dirE)).digest, withHpke.digest);
  });
});
