/**
 * The typed error-code assertion: passes on the right code and class, fails (with a message that
 * names both codes) on anything else, and refuses a misspelt code at typecheck.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError, MexError, XmlError } from '../../packages/psso-wstrust/src/errors.ts';
import { parseMex } from '../../packages/psso-wstrust/src/mex/parse.ts';
import { assertCode } from './assert-code.ts';

const notWsdl = () => parseMex('<a/>');
const refusedLater = () =>
  Promise.reject(new HttpError('PSSO_ERR_HTTP_TIMEOUT', 'the deadline passed'));

describe('assertCode', () => {
  test('a function that throws the code: passes and returns the error, typed by its class', () => {
    const e: MexError = assertCode(notWsdl, 'PSSO_ERR_MEX_NOT_WSDL', MexError);
    assert.equal(e.code, 'PSSO_ERR_MEX_NOT_WSDL');
  });
  test('a promise, or an async function, that rejects with the code: passes', async () => {
    const e: HttpError = await assertCode(refusedLater(), 'PSSO_ERR_HTTP_TIMEOUT', HttpError);
    assert.equal(e.name, 'HttpError');
    await assertCode(refusedLater, 'PSSO_ERR_HTTP_TIMEOUT');
  });
  test('another code, another class, nothing thrown or a resolved promise: fails', async () => {
    assert.throws(
      () => assertCode(notWsdl, 'PSSO_ERR_MEX_NO_USERNAME_POLICY'),
      (e: unknown) => e instanceof assert.AssertionError && /PSSO_ERR_MEX_NOT_WSDL/.test(e.message),
    );
    assert.throws(
      () => assertCode(notWsdl, 'PSSO_ERR_MEX_NOT_WSDL', XmlError),
      (e: unknown) => e instanceof assert.AssertionError && /expected a XmlError/.test(e.message),
    );
    assert.throws(
      () => assertCode(() => 1, 'PSSO_ERR_MEX_NOT_WSDL'),
      (e: unknown) => e instanceof assert.AssertionError && /nothing was thrown/.test(e.message),
    );
    assert.throws(
      () => assertCode(() => new Error('plain'), 'PSSO_ERR_MEX_NOT_WSDL'),
      assert.AssertionError,
    );
    await assert.rejects(
      assertCode(Promise.resolve(1), 'PSSO_ERR_HTTP_TIMEOUT'),
      (e: unknown) => e instanceof assert.AssertionError && /resolved/.test(e.message),
    );
    await assert.rejects(
      assertCode(Promise.reject(new TypeError('misuse')), 'PSSO_ERR_HTTP_TIMEOUT'),
      (e: unknown) => e instanceof assert.AssertionError && /TypeError: misuse/.test(e.message),
    );
  });
  test('a misspelt code does not typecheck (the closed union of src/errors.ts)', () => {
    assert.throws(
      // @ts-expect-error: 'PSSO_ERR_MEX_NOT_WDSL' is not a PssoErrorCode
      () => assertCode(notWsdl, 'PSSO_ERR_MEX_NOT_WDSL'),
      assert.AssertionError,
    );
  });
});
