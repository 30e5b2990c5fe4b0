import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { initConfiguration } from '../../../packages/cli/src/commands/psso-init.ts';
import { pssoConfiguration } from '../../../packages/idp/src/routes/psso-configuration.ts';
import { ConfigError } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  LOGIN_CONFIGURATION_FIELDS,
  loginConfigurationToJSON,
  parseLoginConfiguration,
} from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { LOGIN_CONFIG_SCHEMA_ID } from '../../../packages/psso-wstrust/src/psso/config/schema-id.ts';
import { validateJson } from '../../helpers/json-schema.ts';
import { dynamic, wsTrust } from './fixtures.ts';

const schema = JSON.parse(
  readFileSync(
    new URL('../../../packages/psso-wstrust/schema/login-config.v1.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown> & { properties: Record<string, { description?: string }> };
const doc = readFileSync(new URL('../../../docs/login-config.md', import.meta.url), 'utf8');
const docFields = [...doc.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]);

const sorted = (xs: readonly (string | undefined)[]) => [...xs].sort();

/** A configuration with every field set, as `psso init` would write it. */
/** A real P-256 public key (the loader checks the point). */
const P256_PUBLIC_JWK = (() => {
  const { kty, crv, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
    format: 'jwk',
  });
  return { kty: kty ?? '', crv: crv ?? '', x: x ?? '', y: y ?? '' };
})();

const EVERY_FIELD = {
  $schema: LOGIN_CONFIG_SCHEMA_ID,
  ...dynamic,
  nonceEndpointURL: 'https://idp.example.com/nonce',
  nonceResponseKeypath: 'Nonce',
  serverNonceClaimName: 'request_nonce',
  additionalScopes: 'urn:apple:platformsso',
  customNonceRequestValues: [{ name: 'a', value: '1' }],
  customLoginRequestValues: [{ name: 'b', value: '2' }],
  customRequestJWTParameterName: 'request',
  customLoginRequestHeaderClaims: { typ: 'JWT' },
  customLoginRequestBodyClaims: { tenant: 't' },
  invalidCredentialPredicate: "error = 'invalid_grant'",
  refreshEndpointURL: 'https://idp.example.com/refresh',
  customRefreshRequestValues: [{ name: 'c', value: '3' }],
  federationMEXURL: 'https://sts.example.com/mex',
  customFederationUserPreauthenticationRequestValues: [{ name: 'api-version', value: '1.0' }],
  authenticationMethod: 'password',
  audience: 'tenant',
  customAssertionRequestHeaderClaims: { x: 1 },
  customAssertionRequestBodyClaims: { y: [true] },
  loginRequestEncryptionPublicKey: P256_PUBLIC_JWK,
  loginRequestEncryptionAPVPrefix: 'APPLEEMBEDDED',
  keyEndpointURL: 'https://idp.example.com/key',
  hpkePreSharedKey: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=',
  hpkePreSharedKeyID: 'psk-1',
  hpkeAuthPublicKey: P256_PUBLIC_JWK,
};

describe('the login configuration schema and field reference', () => {
  test('every field the loader knows is in the schema, and nothing else', () => {
    assert.deepEqual(sorted(Object.keys(schema.properties)), sorted(LOGIN_CONFIGURATION_FIELDS));
    for (const [name, p] of Object.entries(schema.properties))
      assert.ok((p.description ?? '').length > 10, `${name} has a description`);
  });
  test('every field the loader knows is in docs/login-config.md, and nothing else', () => {
    assert.deepEqual(sorted(docFields), sorted(LOGIN_CONFIGURATION_FIELDS));
    assert.equal(new Set(docFields).size, docFields.length, 'no field documented twice');
  });
  test('the test configuration sets every field, and the loader and the schema both accept it', () => {
    assert.deepEqual(sorted(Object.keys(EVERY_FIELD)), sorted(LOGIN_CONFIGURATION_FIELDS));
    assert.deepEqual(validateJson(schema, EVERY_FIELD), []);
    const json = loginConfigurationToJSON(parseLoginConfiguration(EVERY_FIELD));
    assert.deepEqual(validateJson(schema, json), []);
    assert.deepEqual(Object.keys(json), LOGIN_CONFIGURATION_FIELDS, 'every field, in order');
  });
  test('what psso init writes validates: from the discovery document and from flags', () => {
    const fromIdp = initConfiguration(pssoConfiguration('https://idp.example.com:8443'), {}, {});
    assert.equal(fromIdp.$schema, LOGIN_CONFIG_SCHEMA_ID);
    assert.deepEqual(validateJson(schema, fromIdp), []);
    const fromFlags = initConfiguration(
      {},
      {
        clientID: 'c',
        issuer: 'https://login.example.com/v2.0',
        tokenEndpointURL: 'https://login.example.com/token',
        jwksEndpointURL: 'https://login.example.com/keys',
        invalidCredentialPredicate: "error = 'invalid_grant'",
      },
      {},
    );
    assert.deepEqual(validateJson(schema, fromFlags), []);
    assert.deepEqual(validateJson(schema, { $schema: LOGIN_CONFIG_SCHEMA_ID, ...wsTrust }), []);
  });
  test('the schema refuses what the loader refuses: unknown field, bad enum, missing required, http, federation requirements', () => {
    const bad = (value: unknown) => assert.notDeepEqual(validateJson(schema, value), []);
    bad({ ...wsTrust, clientId: 'typo' });
    bad({ ...wsTrust, federationType: 'openID' });
    bad({ ...wsTrust, federationType: 3 });
    bad({ ...wsTrust, authenticationMethod: 'faceID' });
    const { clientID: _c, ...noClient } = wsTrust;
    bad(noClient);
    bad({ ...wsTrust, clientID: '' });
    bad({ ...wsTrust, tokenEndpointURL: 'http://idp.example.com/token' });
    const { federationMEXURL: _m, ...noMex } = wsTrust;
    bad(noMex);
    const { federationPredicate: _p, ...noPredicate } = dynamic;
    bad(noPredicate);
    bad({ ...wsTrust, customLoginRequestValues: [{ name: 'a' }] });
  });
});

describe('$schema in a configuration file', () => {
  test('accepted, ignored, kept first on output', () => {
    const config = parseLoginConfiguration({ ...wsTrust, $schema: 'https://example.com/s.json' });
    assert.equal(config.$schema, 'https://example.com/s.json');
    assert.equal(Object.keys(loginConfigurationToJSON(config))[0], '$schema');
    assert.equal(
      Object.hasOwn(loginConfigurationToJSON(parseLoginConfiguration(wsTrust)), '$schema'),
      false,
    );
  });
  test('a $schema that is not a string is a field error', () => {
    assert.throws(
      () => parseLoginConfiguration({ ...wsTrust, $schema: 1 }),
      (e: unknown) => e instanceof ConfigError && e.code === 'PSSO_ERR_CONFIG_FIELD',
    );
  });
  test('psso init ignores a $schema in the discovery document and writes its own', () => {
    const json = initConfiguration({ ...wsTrust, $schema: 'https://evil.example/x' }, {}, {});
    assert.equal(json.$schema, LOGIN_CONFIG_SCHEMA_ID);
  });
});
