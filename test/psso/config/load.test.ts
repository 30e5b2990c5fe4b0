import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, type ConfigErrorCode } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  type LoginConfigurationOptions,
  parseLoginConfiguration,
} from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/types.ts';
import { base, dynamic, wsTrust } from './fixtures.ts';

const rejects = (code: ConfigErrorCode, json: unknown, options?: LoginConfigurationOptions) =>
  assert.throws(
    () => parseLoginConfiguration(json, options),
    (e: unknown) => e instanceof ConfigError && e.code === code,
  );

describe('parseLoginConfiguration', () => {
  test('minimal configuration and its defaults', () => {
    const config = parseLoginConfiguration(base);
    assert.equal(config.clientID, 'psso-client');
    assert.ok(config.tokenEndpointURL instanceof URL);
    assert.equal(config.nonceEndpointURL, undefined);
    const r = resolveLoginConfiguration(config);
    assert.equal(r.nonceEndpointURL.href, 'https://idp.example.com/oauth2/token?x=1');
    assert.equal(r.nonceResponseKeypath, 'Nonce');
    assert.equal(r.serverNonceClaimName, 'request_nonce');
    assert.equal(r.additionalScopes, 'urn:apple:platformsso');
    assert.equal(r.customRequestJWTParameterName, 'assertion');
    assert.equal(r.federationType, 'none');
    assert.equal(r.refreshEndpointURL, undefined);
    assert.deepEqual(r.customLoginRequestValues, []);
    assert.deepEqual(r.customLoginRequestHeaderClaims, {});
  });

  test('configured values override the defaults', () => {
    const r = resolveLoginConfiguration(
      parseLoginConfiguration({
        ...base,
        nonceEndpointURL: 'https://idp.example.com/nonce',
        nonceResponseKeypath: 'nonce',
        serverNonceClaimName: 'srv',
        additionalScopes: '',
        customRequestJWTParameterName: 'request',
      }),
    );
    assert.equal(r.nonceEndpointURL.href, 'https://idp.example.com/nonce');
    assert.equal(r.nonceResponseKeypath, 'nonce');
    assert.equal(r.serverNonceClaimName, 'srv');
    assert.equal(r.additionalScopes, '');
    assert.equal(r.customRequestJWTParameterName, 'request');
  });

  test('null means unset', () => {
    assert.equal(
      parseLoginConfiguration({ ...base, nonceEndpointURL: null }).nonceEndpointURL,
      undefined,
    );
  });

  test('federationType names and numbers', () => {
    for (const [value, name] of [
      ['none', 'none'],
      [0, 'none'],
      [1, 'wsTrust'],
      ['wsTrust', 'wsTrust'],
      [2, 'dynamicWSTrust'],
      ['dynamicWSTrust', 'dynamicWSTrust'],
    ] as const) {
      const json =
        value === 2 || value === 'dynamicWSTrust'
          ? dynamic
          : value === 1 || value === 'wsTrust'
            ? wsTrust
            : base;
      assert.equal(
        parseLoginConfiguration({ ...json, federationType: value }).federationType,
        name,
      );
    }
    for (const bad of [3, -1, 1.5, 'WSTrust', 'openID', ''])
      rejects('PSSO_ERR_CONFIG_FEDERATION_TYPE', { ...base, federationType: bad });
    rejects('PSSO_ERR_CONFIG_FIELD', { ...base, federationType: true });
  });

  test('bad top-level values', () => {
    for (const bad of [null, [], 'x', 3]) rejects('PSSO_ERR_CONFIG_JSON', bad);
  });

  test('clientID and issuer must be non-empty', () => {
    const { clientID: _c, ...noClient } = base;
    const { issuer: _i, ...noIssuer } = base;
    rejects('PSSO_ERR_CONFIG_CLIENT_ID_MISSING', noClient);
    rejects('PSSO_ERR_CONFIG_CLIENT_ID_MISSING', { ...base, clientID: '' });
    rejects('PSSO_ERR_CONFIG_CLIENT_ID_MISSING', { ...base, clientID: '  ' });
    rejects('PSSO_ERR_CONFIG_ISSUER_MISSING', noIssuer);
    rejects('PSSO_ERR_CONFIG_ISSUER_MISSING', { ...base, issuer: '' });
    rejects('PSSO_ERR_CONFIG_FIELD', { ...base, clientID: 42 });
  });

  test('endpoint URLs are required', () => {
    const { tokenEndpointURL: _t, ...noToken } = base;
    const { jwksEndpointURL: _j, ...noJwks } = base;
    rejects('PSSO_ERR_CONFIG_FIELD', noToken);
    rejects('PSSO_ERR_CONFIG_FIELD', noJwks);
  });

  test('URLs must be absolute https', () => {
    for (const field of [
      'tokenEndpointURL',
      'jwksEndpointURL',
      'nonceEndpointURL',
      'refreshEndpointURL',
      'federationMEXURL',
      'federationUserPreauthenticationURL',
    ]) {
      rejects('PSSO_ERR_CONFIG_URL_INVALID', { ...base, [field]: 'http://idp.example.com/x' });
      rejects('PSSO_ERR_CONFIG_URL_INVALID', { ...base, [field]: '/relative' });
      rejects('PSSO_ERR_CONFIG_URL_INVALID', { ...base, [field]: 'ftp://idp.example.com/' });
      rejects('PSSO_ERR_CONFIG_FIELD', { ...base, [field]: 42 });
    }
    rejects('PSSO_ERR_CONFIG_URL_INVALID', {
      ...base,
      jwksEndpointURL: 'https://u:p@idp.example.com/',
    });
  });

  test('http only for loopback hosts, and only when allowed', () => {
    const allow = { dangerouslyAllowHttpLoopback: true };
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]']) {
      const json = { ...base, tokenEndpointURL: `http://${host}:8080/token` };
      rejects('PSSO_ERR_CONFIG_URL_INVALID', json);
      assert.equal(parseLoginConfiguration(json, allow).tokenEndpointURL.protocol, 'http:');
    }
    for (const host of ['example.com', '10.0.0.1', 'localhost.example.com', '128.0.0.1'])
      rejects(
        'PSSO_ERR_CONFIG_URL_INVALID',
        { ...base, tokenEndpointURL: `http://${host}/` },
        allow,
      );
  });

  test('unknown fields and wrong types name the field, never the value', () => {
    assert.throws(
      () => parseLoginConfiguration({ ...base, audiance: 'secret-value' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.code === 'PSSO_ERR_CONFIG_FIELD' &&
        e.message.includes('audiance') &&
        !e.message.includes('secret-value'),
    );
    assert.throws(
      () => parseLoginConfiguration({ ...base, nonceResponseKeypath: ['secret-value'] }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.code === 'PSSO_ERR_CONFIG_FIELD' &&
        e.message.includes('nonceResponseKeypath') &&
        !e.message.includes('secret-value'),
    );
    rejects('PSSO_ERR_CONFIG_FIELD', { ...base, __proto__x: 1 });
    rejects('PSSO_ERR_CONFIG_FIELD', JSON.parse(`{"clientID":"a","__proto__":{}}`));
  });

  test('query items', () => {
    const ok = parseLoginConfiguration({
      ...base,
      customLoginRequestValues: [{ name: 'a', value: 'b+c' }],
    });
    assert.deepEqual(ok.customLoginRequestValues, [{ name: 'a', value: 'b+c' }]);
    for (const bad of [
      { a: 'b' },
      ['a=b'],
      [{ name: 'a' }],
      [{ name: '', value: 'b' }],
      [{ name: 'a', value: 1 }],
      [{ name: 'a', value: 'b', extra: 1 }],
      [null],
    ])
      rejects('PSSO_ERR_CONFIG_FIELD', { ...base, customNonceRequestValues: bad });
  });

  test('claims must be JSON objects', () => {
    const ok = parseLoginConfiguration({
      ...base,
      customLoginRequestHeaderClaims: { typ: 'JWT' },
      customLoginRequestBodyClaims: { n: [1, { b: null }] },
    });
    assert.deepEqual(ok.customLoginRequestHeaderClaims, { typ: 'JWT' });
    for (const bad of [
      [],
      'x',
      { a: Number.NaN },
      { a: undefined },
      { a: () => 1 },
      { d: new Date() },
    ])
      rejects('PSSO_ERR_CONFIG_FIELD', { ...base, customLoginRequestBodyClaims: bad });
  });

  test('wsTrust needs federationRequestURN and federationMEXURL', () => {
    assert.equal(parseLoginConfiguration(wsTrust).federationMEXURL?.hostname, 'sts.example.com');
    const { federationRequestURN: _u, ...noUrn } = wsTrust;
    const { federationMEXURL: _m, ...noMex } = wsTrust;
    rejects('PSSO_ERR_CONFIG_FEDERATION_URN_MISSING', noUrn);
    rejects('PSSO_ERR_CONFIG_FEDERATION_URN_MISSING', { ...wsTrust, federationRequestURN: '' });
    rejects('PSSO_ERR_CONFIG_MEX_URL_MISSING', noMex);
    rejects('PSSO_ERR_CONFIG_MEX_URL_MISSING', { ...wsTrust, federationMEXURL: null });
  });

  test('dynamicWSTrust needs URN, preauthentication URL, MEX keypath and a predicate', () => {
    assert.equal(parseLoginConfiguration(dynamic).federationType, 'dynamicWSTrust');
    const without = (field: keyof typeof dynamic) => {
      const copy: Record<string, unknown> = { ...dynamic };
      delete copy[field];
      return copy;
    };
    rejects('PSSO_ERR_CONFIG_FEDERATION_URN_MISSING', without('federationRequestURN'));
    rejects('PSSO_ERR_CONFIG_PREAUTH_URL_MISSING', without('federationUserPreauthenticationURL'));
    rejects('PSSO_ERR_CONFIG_MEX_KEYPATH_MISSING', without('federationMEXURLKeypath'));
    rejects('PSSO_ERR_CONFIG_MEX_KEYPATH_MISSING', { ...dynamic, federationMEXURLKeypath: null });
    rejects('PSSO_ERR_CONFIG_PREDICATE_INVALID', without('federationPredicate'));
    // A static MEX URL is not required for dynamic federation.
    assert.equal(parseLoginConfiguration(dynamic).federationMEXURL, undefined);
  });

  test('predicates must parse', () => {
    rejects('PSSO_ERR_CONFIG_PREDICATE_INVALID', { ...dynamic, federationPredicate: "(a == 'b'" });
    rejects('PSSO_ERR_CONFIG_PREDICATE_INVALID', { ...dynamic, federationPredicate: '' });
    rejects('PSSO_ERR_CONFIG_PREDICATE_INVALID', {
      ...base,
      invalidCredentialPredicate: "error == 'x",
    });
    const seen: string[] = [];
    const checkPredicate = (text: string) => {
      seen.push(text);
      if (text.includes('BAD')) throw new Error('nope');
    };
    parseLoginConfiguration(
      { ...dynamic, invalidCredentialPredicate: 'error == 1' },
      { checkPredicate },
    );
    assert.deepEqual(seen, ["account_type == 'Federated'", 'error == 1']);
    rejects(
      'PSSO_ERR_CONFIG_PREDICATE_INVALID',
      { ...base, invalidCredentialPredicate: 'BAD' },
      {
        checkPredicate,
      },
    );
    assert.throws(
      () =>
        parseLoginConfiguration(
          { ...dynamic, federationPredicate: 'BAD secret' },
          { checkPredicate },
        ),
      (e: unknown) => e instanceof ConfigError && !e.message.includes('secret'),
    );
  });

  test('predicates are checked by the NSPredicate parser', () => {
    parseLoginConfiguration({ ...dynamic, federationPredicate: "account_type = 'Federated'" });
    for (const bad of ['', '(a', "a == 'x", 'a ==', "account_type = 'Federated' AND"]) {
      assert.throws(
        () => parseLoginConfiguration({ ...dynamic, federationPredicate: bad }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.code === (bad.trim() === '' ? e.code : 'PSSO_ERR_CONFIG_PREDICATE_INVALID'),
      );
    }
  });
});
