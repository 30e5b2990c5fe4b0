import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkConfig } from '../../packages/idp/src/config.ts';
import { IdpError } from '../../packages/psso-wstrust/src/errors.ts';

describe('relying parties: the SAML 2.0 Recipient', () => {
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
