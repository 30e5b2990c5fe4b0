/**
 * Proof: for every `--fault` switch of the reference IdP, and for a wrong password, an unknown
 * AppliesTo and a clock behind, `check` fails the rule that names the cause, with expected, got,
 * a remediation and the evidence — and goes on judging what it still can.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { assertFailed, checkIdp, closeSharedIdp, failed, ruleOf } from './support.ts';

after(async () => {
  await closeSharedIdp();
  await closeHttpAgents();
});

describe('check against the reference IdP’s fault switches', () => {
  test('skew=600: the Timestamp Created is in the future; the clock offset is +600 s', async () => {
    const report = await checkIdp({ skewSeconds: 600 });
    // About 600 s: the offset is measured against the middle of an exchange that may take seconds
    // on a loaded machine.
    const about600 = /\b(59[5-9]|60[0-5])(\.\d)? s ahead/;
    assertFailed(report, 'rstr.timestamp-created', about600, /120 s/);
    assertFailed(report, 'clock.offset', about600);
    assert.ok(Math.abs((report.clockOffsetSeconds ?? 0) - 600) <= 5);
    assert.match(ruleOf(report, 'rstr.timestamp-created').remediation?.adfs ?? '', /w32tm/);
    // The assertion is still judged.
    assert.equal(ruleOf(report, 'saml.signature').status, 'pass');
  });

  test('a skewed clock (IdP 600 s behind): the Timestamp has expired', async () => {
    const report = await checkIdp({ skewSeconds: -600 });
    assertFailed(report, 'rstr.timestamp-expires', /ago/, /120 s in the past|now - 120 s/);
    assert.equal(ruleOf(report, 'rstr.timestamp-created').status, 'pass');
    assert.ok((report.clockOffsetSeconds ?? 0) < -590);
  });

  test('no-relates-to: the response cannot be correlated', async () => {
    const report = await checkIdp({ noRelatesTo: true });
    assertFailed(report, 'rstr.relates-to', /no wsa:RelatesTo/, /^urn:uuid:[0-9A-F-]{36}$/);
    assert.deepEqual(failed(report), ['rstr.relates-to']);
  });

  test('wrong-relates-to: RelatesTo fails, and timestamps, token type and assertion are still judged', async () => {
    const report = await checkIdp({ wrongRelatesTo: true });
    const r = assertFailed(report, 'rstr.relates-to', /^urn:uuid:/);
    assert.notEqual(r.got, r.expected);
    for (const id of [
      'rstr.timestamp-created',
      'rstr.token-type',
      'saml.signature',
      'saml.audience',
    ])
      assert.equal(ruleOf(report, id).status, 'pass', id);
  });

  test('soap11: the SOAP 1.2 rule fails, the rest is judged from the 1.1 envelope', async () => {
    const report = await checkIdp({ soap11: true });
    assertFailed(report, 'rstr.soap12', /SOAP 1\.1/, /SOAP 1\.2/);
    assert.equal(ruleOf(report, 'rstr.token-count').status, 'pass');
  });

  test('token-type=unknown URI: the TokenType does not map to a grant type', async () => {
    const report = await checkIdp({ tokenType: 'urn:example:not-saml' });
    assertFailed(report, 'rstr.token-type', /urn:example:not-saml/, /SAML/);
    assert.equal(ruleOf(report, 'rstr.token-type-matches').status, 'skipped');
  });

  test('token-type=SAML 2.0 on a SAML 1.1 assertion: TokenType and assertion disagree', async () => {
    const report = await checkIdp({ tokenType: 'urn:oasis:names:tc:SAML:2.0:assertion' });
    assertFailed(report, 'rstr.token-type-matches', /SAML 1\.1/, /SAML 2\.0/);
  });

  test('two-assertions: exactly one assertion is required', async () => {
    const report = await checkIdp({ twoAssertions: true });
    assertFailed(report, 'rstr.token-count', /more than one token/);
    assert.equal(ruleOf(report, 'saml.signature').status, 'skipped');
    assert.match(ruleOf(report, 'saml.signature').skippedBecause ?? '', /no assertion/);
  });

  test('unsigned: the assertion carries no signature', async () => {
    const report = await checkIdp({ unsigned: true });
    assertFailed(report, 'saml.signature', /unsigned/);
  });

  test('unsigned, without --signing-cert: still a failure (Entra refuses it)', async () => {
    const report = await checkIdp({ unsigned: true }, { signingCert: false });
    assertFailed(report, 'saml.signature', /unsigned/);
  });

  test('tampered: the signature does not verify', async () => {
    const report = await checkIdp({ tampered: true });
    assertFailed(report, 'saml.signature', /PSSO_ERR_SAML_SIGNATURE/);
    assert.deepEqual(failed(report), ['saml.signature']);
  });

  test('delay beyond the request timeout: the STS did not answer in time', async () => {
    const report = await checkIdp({ delayMs: 2500 }, { http: { timeoutMs: 1500 } });
    assertFailed(report, 'rst.transport', /PSSO_ERR_HTTP_TIMEOUT/);
    assertFailed(report, 'timing.rst', /timed out/, /30 s/);
    assert.equal(ruleOf(report, 'rstr.soap12').status, 'skipped');
    // Both endpoints were tried, as macOS does.
    assert.equal(report.exchanges.filter((x) => x.step === 'rst').length, 2);
  });

  test('status=503: only 200 or 500 is accepted', async () => {
    const report = await checkIdp({ httpStatus: 503 });
    assertFailed(report, 'rst.transport', /HTTP 503/, /200/);
  });

  test('truncate: the response is not well-formed', async () => {
    const report = await checkIdp({ truncate: true });
    assertFailed(report, 'rstr.soap12', /not well-formed XML/);
  });

  test('a wrong password: the FailedAuthentication fault, with the credential remediation', async () => {
    const report = await checkIdp(undefined, { password: 'not the password' });
    const r = assertFailed(report, 'rstr.fault', /FailedAuthentication/);
    assert.match(r.remediation?.adfs ?? '', /lockout/i);
    assert.equal(ruleOf(report, 'rstr.relates-to').status, 'pass');
    assert.equal(ruleOf(report, 'rstr.token-count').status, 'skipped');
    // The password never appears in the report.
    assert.doesNotMatch(JSON.stringify(report), /not the password/);
  });

  test('an unknown AppliesTo: a SOAP fault naming the relying party problem', async () => {
    const report = await checkIdp(undefined, { urn: 'urn:example:unknown-relying-party' });
    const r = assertFailed(report, 'rstr.fault', /fault/);
    assert.match(r.remediation?.adfs ?? '', /MSIS7007/);
  });
});
