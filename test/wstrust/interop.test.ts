import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WsTrustError, WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { readSecurityTokenResponse as process } from '../../packages/psso-wstrust/src/wstrust/rstr.ts';
import { readInterop } from '../helpers/interop.ts';

const SAML11 = 'urn:oasis:names:tc:SAML:1.0:assertion';
const SAML11_BEARER = 'urn:ietf:params:oauth:grant-type:saml1_1-bearer';

// file, version, the instant its Timestamp was created (the injected clock), the expected Lifetime.
const RESPONSES = [
  [
    'adfs-13-richard-randall.rstr.xml',
    '1.3',
    '2013-11-15T03:08:25.205Z',
    '2013-11-15T04:08:25.205Z',
  ],
  ['adfs-13-naturalcauses.rstr.xml', '1.3', '2014-01-27T08:15:45.003Z', '2014-01-27T09:15:45.003Z'],
  ['adfs-2005-usystech.rstr.xml', '2005', '2015-07-31T05:45:47.269Z', '2015-07-31T06:45:47.269Z'],
  ['msft-2005.rstr.xml', '2005', '2017-10-11T00:20:06.447Z', '2017-10-11T01:20:06.447Z'],
  ['msft-13-hybrid.rstr.xml', '1.3', '2017-10-11T00:20:06.447Z', '2017-10-11T01:20:06.447Z'],
] as const;

describe('WS-Trust responses from real AD FS deployments', () => {
  for (const [file, version, created, expires] of RESPONSES) {
    test(`${file}: WS-Trust ${version}, SAML 1.1, saml1_1-bearer`, () => {
      const body = readInterop(`rstr/${file}`);
      const t = process(body, { version, now: new Date(created) });
      assert.equal(t.tokenType, SAML11);
      assert.equal(t.grantType, SAML11_BEARER);
      assert.equal(t.samlVersion, '1.1');
      assert.equal(t.created?.toISOString(), created);
      assert.equal(t.expires?.toISOString(), expires);
      assert.match(t.assertion, /^<saml:Assertion [^>]*>[\s\S]*<\/saml:Assertion>$/);
      assert.ok(
        body.includes(Buffer.from(t.assertion)),
        'the assertion is a byte-for-byte substring of the response',
      );
    });
  }

  test('adfs-13-naturalcauses: the extracted assertion equals the recorded base64, byte for byte', () => {
    const t = process(readInterop('rstr/adfs-13-naturalcauses.rstr.xml'), {
      version: '1.3',
      now: new Date('2014-01-27T08:16:00Z'),
    });
    assert.equal(
      Buffer.from(t.assertion, 'utf8').toString('base64'),
      readInterop('rstr/adfs-13-naturalcauses.assertion.base64.txt').toString('utf8').trim(),
    );
  });

  test('adfs-13-naturalcauses: years later the Timestamp has expired', () => {
    assert.throws(
      () =>
        process(readInterop('rstr/adfs-13-naturalcauses.rstr.xml'), {
          version: '1.3',
          now: new Date('2026-01-01T00:00:00Z'),
        }),
      (e) => e instanceof WsTrustError && e.code === 'PSSO_ERR_WSTRUST_EXPIRED',
    );
  });

  test('adfs-13-naturalcauses: with a MessageID expected, the missing RelatesTo is refused', () => {
    assert.throws(
      () =>
        process(readInterop('rstr/adfs-13-naturalcauses.rstr.xml'), {
          version: '1.3',
          messageId: 'urn:uuid:X',
          now: new Date('2014-01-27T08:16:00Z'),
        }),
      (e) => e instanceof WsTrustError && e.code === 'PSSO_ERR_WSTRUST_RELATES_TO_MISSING',
    );
  });

  test('msft-13-hybrid: RelatesTo matched when expected', () => {
    const t = process(readInterop('rstr/msft-13-hybrid.rstr.xml'), {
      version: '1.3',
      messageId: 'urn:uuid:6e8ce948-eb66-4720-916b-0695697e6e45',
      now: new Date('2017-10-11T00:20:10Z'),
    });
    assert.equal(t.grantType, SAML11_BEARER);
  });

  test('adfs-fault-msis3127: a SOAP fault with code, subcode and reason; not a credential failure', () => {
    assert.throws(
      () =>
        process(readInterop('rstr/adfs-fault-msis3127.xml'), {
          version: '1.3',
          now: new Date('2013-07-30T00:32:22Z'),
        }),
      (e) =>
        e instanceof WsTrustFaultError &&
        e.code === 'PSSO_ERR_WSTRUST_FAULT' &&
        e.faultCode === 's:Sender' &&
        e.subcode === 'a:RequestFailed' &&
        e.reason === 'MSIS3127: The specified request failed.',
    );
  });
});
