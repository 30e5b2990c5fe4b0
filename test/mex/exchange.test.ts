/**
 * The MEX pair: what `mexRequest` sends (captured by a transport, no network), and
 * `processMexResponse` on recorded responses, one refusal per step in its fixed order: status,
 * content type, shape.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError, MexError, XmlError } from '../../packages/psso-wstrust/src/errors.ts';
import { statusHint } from '../../packages/psso-wstrust/src/http/failure.ts';
import { mexRequest, processMexResponse } from '../../packages/psso-wstrust/src/mex/exchange.ts';
import { assertCode } from '../helpers/assert-code.ts';
import { mexDoc } from '../helpers/mex-doc.ts';
import { capture, recorded } from '../helpers/recorded.ts';

const MEX_URL = 'https://sts.example.com/adfs/services/trust/mex';
const XML = { 'content-type': 'application/soap+xml; charset=utf-8' };

describe('mexRequest', () => {
  test('a GET of the URL with no Content-Type, answered as the transport answered', async () => {
    const answer = recorded(404, 'gone');
    const sent = capture(answer);
    assert.equal(await mexRequest(MEX_URL, { transport: sent.transport }), answer);
    const r = sent.only();
    assert.equal(r.method, 'GET');
    assert.equal(String(r.url), MEX_URL);
    assert.equal(r.body, undefined);
    assert.equal(r.headers?.['content-type'], undefined, 'a WAF blocked clients that sent one');
  });
});

describe('processMexResponse on recorded responses', () => {
  test('200 with a MEX document: the endpoints, 1.3 first', () => {
    const mex = processMexResponse(recorded(200, mexDoc(), XML));
    assert.equal(mex.usernamePassword[0]?.version, '1.3');
  });
  test('the content type is not what decides (macOS reads the body whatever it says)', () => {
    for (const type of [undefined, 'text/xml', 'application/octet-stream', 'text/plain']) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      assert.equal(processMexResponse(recorded(200, mexDoc(), headers)).usernamePassword.length, 2);
    }
  });
  test('1. status: outside 2xx is PSSO_ERR_HTTP_STATUS with the status and its hint', () => {
    for (const status of [301, 404, 500, 503]) {
      const e = assertCode(
        () => processMexResponse(recorded(status, mexDoc(), XML)),
        'PSSO_ERR_HTTP_STATUS',
        HttpError,
      );
      assert.equal(e.status, status);
      assert.equal(e.hint, statusHint(status));
    }
  });
  test('2. content type: an HTML page (a sign-in page in front of the STS) is PSSO_ERR_HTTP_CONTENT_TYPE', () => {
    for (const type of ['text/html; charset=utf-8', 'TEXT/HTML', 'application/xhtml+xml']) {
      const e = assertCode(
        () =>
          processMexResponse(
            recorded(200, '<html><body>Sign in</body></html>', { 'content-type': type }),
          ),
        'PSSO_ERR_HTTP_CONTENT_TYPE',
        HttpError,
      );
      assert.equal(e.status, 200);
      assert.equal(e.contentType, type.split(';')[0]?.toLowerCase());
      assert.doesNotMatch(e.message, /Sign in/, 'no peer bytes in the message');
    }
  });
  test('the status is judged before the content type', () => {
    assertCode(
      () => processMexResponse(recorded(404, '<html/>', { 'content-type': 'text/html' })),
      'PSSO_ERR_HTTP_STATUS',
    );
  });
  test('3. shape: not XML is an XmlError; XML that is no WSDL is PSSO_ERR_MEX_NOT_WSDL', () => {
    assert.throws(() => processMexResponse(recorded(200, '{"not":"xml"}', XML)), XmlError);
    assertCode(
      () => processMexResponse(recorded(200, '<a/>', XML)),
      'PSSO_ERR_MEX_NOT_WSDL',
      MexError,
    );
  });
  test('4. fields: a WSDL with no username policy is PSSO_ERR_MEX_NO_USERNAME_POLICY', () => {
    assertCode(
      () => processMexResponse(recorded(200, mexDoc({ policy: 'none' }), XML)),
      'PSSO_ERR_MEX_NO_USERNAME_POLICY',
      MexError,
    );
  });
  test('caller misuse is a TypeError', () => {
    assert.throws(() => processMexResponse(new Uint8Array() as never), TypeError);
  });
});
