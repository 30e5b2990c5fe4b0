/**
 * The `psso-wstrust/psso` entry: its runtime exports pinned exactly (as test/exports.test.ts pins
 * the package entry), and the built entry imported through the package's own name (node resolves
 * the self-reference through package.json "exports") running a real login against the reference
 * IdP, with its error classes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as entry from '../packages/psso-wstrust/src/psso/index.ts';
import { enrol, startTestIdp, type TestIdp, URN } from './e2e/support.ts';

const PUBLIC_API = [
  // Added when the CLI moved to its own package (psso-wstrust-cli) and imports them from here.
  'discoveryRequest',
  'discoveryUrl',
  'processDiscoveryResponse',
  'LOGIN_CONFIG_SCHEMA_ID',
  'authenticationMethodOf',
  'keyResponseCertificate',
  'PUBLIC_KEY_FORMATS',
  'publicKeyFile',
  'publicKeys',
  'publicPartsOfKeyFile',
  'ENCRYPTED_PASSWORD_METHOD',
  'HPKE_METHOD',
  'KEY_EXCHANGE_METHOD',
  'KEY_REQUEST_METHOD',
  'SECURE_ENCLAVE_METHOD',
  'SMARTCARD_METHOD',
  'buildEmbeddedAssertion',
  'embeddedAssertionClaims',
  'buildEncryptedAssertion',
  'ENCRYPTED_ASSERTION_TYP',
  'encryptedAssertionClaims',
  'EMBEDDED_APV_PREFIX',
  'embeddedApv',
  'loginRequestEncryptionKey',
  'parseEmbeddedApv',
  'HPKE_SUITES',
  'nsJsonStringify',
  'signCompactJws',
  'keyRequest',
  'keyExchangeRequest',
  'pssoKeyExchange',
  'pssoKeyRequest',
  'processKeyExchangeResponse',
  'processKeyResponse',
  'loginCredential',
  'passwordCredential',
  'registerUserKey',
  'addUserSecureEnclaveKey',
  'generateUserSecureEnclaveKey',
  'loadSmartCard',
  'smartCardCredential',
  'generateHpkeDeviceKey',
  'AUTHENTICATION_METHODS',
  'ConfigError',
  'FEDERATED_METHOD',
  'FEDERATION_TYPES',
  'GRANT_TYPE',
  'samlGrantType',
  'HttpError',
  'ID_TOKEN_ALGORITHMS',
  'JWKS_CACHE_DEFAULTS',
  'JwksCache',
  'LOGIN_CONFIGURATION_DEFAULTS',
  'LOGIN_REQUEST_TYP',
  'LOGIN_RESPONSE_TYP',
  'LoginError',
  'MexError',
  'PASSWORD_METHOD',
  'PSSO_METHODS',
  'Predicate',
  'PredicateError',
  'PssoError',
  'REFRESH_METHOD',
  'REFRESH_REQUEST_TYP',
  'SamlError',
  'WsTrustError',
  'WsTrustFaultError',
  'XmlError',
  'audienceOf',
  'buildLoginJwt',
  'buildRefreshJwt',
  'closeHttpAgents',
  'decryptLoginResponse',
  'deviceKeyFromPrivateKey',
  'evaluatePredicate',
  'generateDeviceKeys',
  'keyId',
  'loadDeviceKeys',
  'loadLoginConfiguration',
  'loadOrCreateDeviceKeys',
  'loginApv',
  'loginConfigurationToJSON',
  'loginRequestBody',
  'methodById',
  'newMethodSession',
  'nonceRequest',
  'parseLoginConfiguration',
  'parsePredicate',
  'loginRequest',
  'processLoginResponse',
  'refreshRequest',
  'processRefreshResponse',
  'userKeyRequest',
  'processUserKeyResponse',
  'preauthenticationRequest',
  'processNonceResponse',
  'processPreauthenticationResponse',
  'pssoLogin',
  'pssoRefresh',
  'publicJwk',
  'resolveLoginConfiguration',
  'runMethod',
  'verifyIdToken',
  'x963',
];

test('export leak: psso-wstrust/psso exports exactly the Platform SSO client API', () => {
  assert.deepEqual(Object.keys(entry).sort(), [...PUBLIC_API].sort());
});

test('the package entry and psso-wstrust/psso share the error classes (one instanceof)', async () => {
  const root = await import('../packages/psso-wstrust/src/index.ts');
  assert.equal(root.LoginError, entry.LoginError);
  assert.equal(root.PssoError, entry.PssoError);
  assert.equal(root.ConfigError, entry.ConfigError);
  assert.equal(root.WsTrustFaultError, entry.WsTrustFaultError);
});

test('the methods table: ids are unique, each method has a label and says what it needs', () => {
  const ids = entry.PSSO_METHODS.map((m) => m.id);
  assert.deepEqual(ids, [
    'password',
    'federated',
    'encrypted-password',
    'secure-enclave-key',
    'smartcard',
    'hpke',
    'refresh',
    'key-request',
    'key-exchange',
  ]);
  assert.equal(new Set(ids).size, ids.length);
  for (const m of entry.PSSO_METHODS) {
    assert.notEqual(m.label, '');
    assert.ok(Object.keys(m.needs).length > 0, m.id);
    assert.equal(entry.methodById(m.id), m);
  }
  assert.throws(() => entry.methodById('nope'), TypeError);
});

describe('psso-wstrust/psso through the package self-reference (the built dist)', () => {
  // The built file the package's `exports['./psso'].default` names (tests run with the
  // psso-source condition, so the specifier itself resolves to the sources); a variable so the
  // typecheck does not need dist/ to exist.
  const SPECIFIER: string = new URL('../packages/psso-wstrust/dist/psso/index.js', import.meta.url)
    .href;
  let idp: TestIdp;
  let built: typeof entry;
  before(async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b'], {
      cwd: root,
      stdio: 'inherit',
    });
    built = (await import(SPECIFIER)) as typeof entry;
    idp = await startTestIdp();
  });
  after(async () => {
    await idp?.close();
    await built?.closeHttpAgents();
  });

  test('resolves to dist/psso/index.js and exports the same names as the source entry', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../packages/psso-wstrust/package.json', import.meta.url), 'utf8'),
    ) as { exports: Record<string, { default: string }> };
    assert.equal(manifest.exports['./psso']?.default, './dist/psso/index.js');
    assert.match(import.meta.resolve('psso-wstrust/psso'), /\/src\/psso\/index\.ts$/);
    assert.deepEqual(Object.keys(built).sort(), [...PUBLIC_API].sort());
  });

  const configFor = (b: typeof entry) =>
    b.resolveLoginConfiguration(
      b.parseLoginConfiguration({
        clientID: 'psso',
        issuer: idp.origin,
        tokenEndpointURL: `${idp.origin}/psso/token`,
        jwksEndpointURL: `${idp.origin}/psso/jwks`,
        refreshEndpointURL: `${idp.origin}/psso/token`,
        nonceEndpointURL: `${idp.origin}/psso/nonce`,
        federationType: 'wsTrust',
        federationRequestURN: URN,
        federationMEXURL: idp.mexUrl,
      }),
    );

  test('a federated login and a refresh with the built entry against the reference IdP', async () => {
    const keys = built.generateDeviceKeys();
    await enrol(idp.dataDir, keys);
    const config = configFor(built);
    const http = { ca: idp.caPem };
    const r = await built.pssoLogin({
      config,
      username: idp.demoUser.upn,
      password: idp.password,
      keys,
      http,
    });
    assert.equal(r.federated, true);
    assert.equal(r.samlVersion, '1.1');
    assert.equal(r.idTokenClaims.sub, idp.demoUser.upn);
    const session = built.newMethodSession();
    session.refreshToken = r.response.refreshToken;
    const refreshed = await built.runMethod(built.REFRESH_METHOD, {
      config,
      keys,
      username: idp.demoUser.upn,
      http,
      session,
    });
    assert.equal(refreshed.result, 'ok', refreshed.detail);
  });

  test('a wrong password: the built entry’s WsTrustFaultError, PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION', async () => {
    const keys = built.generateDeviceKeys();
    await enrol(idp.dataDir, keys);
    await assert.rejects(
      built.pssoLogin({
        config: configFor(built),
        username: idp.demoUser.upn,
        password: 'wrong-password',
        keys,
        http: { ca: idp.caPem },
      }),
      (e) =>
        e instanceof built.WsTrustFaultError &&
        e instanceof built.PssoError &&
        e.code === 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION',
    );
  });
});
