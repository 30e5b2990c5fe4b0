import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deviceRejection } from '../../../packages/psso-wstrust/src/psso/flow/device-rejected.ts';

const ENTRA = "error = 'invalid_grant' AND suberror != 'device_authentication_failed'";
const body = {
  error: 'invalid_grant',
  error_description: 'The device is not registered (unknown kid).',
  suberror: 'device_authentication_failed',
};
const said = {
  status: 401,
  error: body.error,
  errorDescription: body.error_description,
  suberror: body.suberror,
};

describe('deviceRejection: a refused device is not a wrong password', () => {
  test("Entra's predicate: PSSO_ERR_LOGIN_DEVICE_REJECTED with the IdP's own answer", () => {
    const e = deviceRejection(401, body, said, ENTRA);
    assert.equal(e?.code, 'PSSO_ERR_LOGIN_DEVICE_REJECTED');
    assert.equal(e?.status, 401);
    assert.equal(e?.error, 'invalid_grant');
    assert.equal(e?.errorDescription, 'The device is not registered (unknown kid).');
    assert.equal(e?.suberror, 'device_authentication_failed');
    assert.deepEqual(e?.predicate, { expression: ENTRA, matched: false, verdict: 'other' });
  });
  test('no predicate: still the device, with what macOS would have decided (401: credentials)', () => {
    const e = deviceRejection(401, body, said, undefined);
    assert.equal(e?.code, 'PSSO_ERR_LOGIN_DEVICE_REJECTED');
    assert.deepEqual(e?.predicate, {
      expression: undefined,
      matched: false,
      verdict: 'credentials',
    });
    assert.equal(
      deviceRejection(400, body, { ...said, status: 400 }, undefined)?.predicate?.verdict,
      'other',
    );
  });
  test('a predicate that calls it a credential error wins; other suberrors and statuses are not device refusals', () => {
    assert.equal(deviceRejection(401, body, said, "error = 'invalid_grant'"), undefined);
    assert.equal(deviceRejection(401, body, { ...said, suberror: 'other' }, ENTRA), undefined);
    const { suberror: _s, ...noSuberror } = said;
    assert.equal(deviceRejection(401, body, noSuberror, ENTRA), undefined);
    assert.equal(deviceRejection(500, body, { ...said, status: 500 }, ENTRA), undefined);
    assert.equal(deviceRejection(403, body, { ...said, status: 403 }, ENTRA), undefined);
  });
});
