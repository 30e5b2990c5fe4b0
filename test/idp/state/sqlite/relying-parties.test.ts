import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IdpError } from '../../../src/errors.ts';
import { checkConfig } from '../../../src/idp/config.ts';
import { openIdpStore } from '../../../src/idp/store/index.ts';
import { tempDataDir } from '../../e2e/support.ts';

describe('relying parties: the SAML 2.0 Recipient', () => {
  test('stored, read back, changed and cleared by upsert', () => {
    const store = openIdpStore(tempDataDir());
    try {
      const rps = store.relyingParties;
      rps.upsert({ identifier: 'urn:sp', samlVersion: '2.0', recipient: 'https://sp.example/acs' });
      assert.deepEqual(rps.get('urn:sp'), {
        identifier: 'urn:sp',
        samlVersion: '2.0',
        recipient: 'https://sp.example/acs',
      });
      rps.upsert({ identifier: 'urn:sp', samlVersion: '2.0' });
      assert.deepEqual(rps.get('urn:sp'), { identifier: 'urn:sp', samlVersion: '2.0' });
      assert.deepEqual(rps.get('urn:federation:MicrosoftOnline'), {
        identifier: 'urn:federation:MicrosoftOnline',
        samlVersion: '1.1',
      });
    } finally {
      store.close();
    }
  });
  test('a recipient for SAML 1.1, or one that is not an absolute http(s) URL, is refused', () => {
    const store = openIdpStore(tempDataDir());
    try {
      const rps = store.relyingParties;
      assert.throws(
        () => rps.upsert({ identifier: 'urn:a', samlVersion: '1.1', recipient: 'https://x/acs' }),
        TypeError,
      );
      for (const recipient of ['/psso/token', 'urn:x', 'https://x/\n', 'javascript:alert(1)'])
        assert.throws(
          () => rps.upsert({ identifier: 'urn:a', samlVersion: '2.0', recipient }),
          TypeError,
        );
    } finally {
      store.close();
    }
  });
  test('configuration: relyingParties[].recipient is checked', () => {
    const ok = checkConfig({
      relyingParties: [{ identifier: 'urn:sp', samlVersion: '2.0', recipient: 'https://sp/acs' }],
    });
    assert.equal(ok.relyingParties[0]?.recipient, 'https://sp/acs');
    const bad = (rp: unknown) =>
      assert.throws(
        () => checkConfig({ relyingParties: [rp] }),
        (e) =>
          e instanceof IdpError && e.code === 'PSSO_ERR_IDP_CONFIG' && /recipient/.test(e.message),
      );
    bad({ identifier: 'urn:sp', samlVersion: '1.1', recipient: 'https://sp/acs' });
    bad({ identifier: 'urn:sp', samlVersion: '2.0', recipient: 'not a url' });
    bad({ identifier: 'urn:sp', samlVersion: '2.0', recipient: 42 });
  });
});
