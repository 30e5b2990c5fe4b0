/**
 * The WS-Trust pair: what `securityTokenRequest` sends (captured by a transport, no network), and
 * `processSecurityTokenResponse` on recorded responses, one refusal per step in its fixed order:
 * status, content type, shape, fields, expected values.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  HttpError,
  WsTrustError,
  WsTrustFaultError,
  XmlError,
} from '../../packages/psso-wstrust/src/errors.ts';
import type { HttpOptions } from '../../packages/psso-wstrust/src/http/options.ts';
import type { HttpRequest, HttpTransport } from '../../packages/psso-wstrust/src/http/request.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import {
  processSecurityTokenResponse,
  securityTokenRequest,
} from '../../packages/psso-wstrust/src/wstrust/exchange.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { assertCode } from '../helpers/assert-code.ts';
import { recorded } from '../helpers/recorded.ts';
import { MESSAGE_ID, response, T0_DATE } from '../helpers/responses.ts';

const endpoint = {
  version: '1.3',
  address: 'https://sts.example.com/adfs/services/trust/13/usernamemixed',
  soapAction: WSTRUST13.issueAction,
} as const;
const SOAP = { 'content-type': 'application/soap+xml; charset=utf-8' };
const expected = { version: '1.3', messageId: MESSAGE_ID, now: T0_DATE } as const;
const process = (status: number, body: string, headers: Record<string, string> = SOAP) =>
  processSecurityTokenResponse(recorded(status, body, headers), expected);

describe('securityTokenRequest', () => {
  test('a SOAP 1.2 POST of the built body with its SOAPAction, no redirect followed', async () => {
    const rst = buildRequestSecurityToken({
      endpoint,
      appliesTo: 'urn:federation:MicrosoftOnline',
      username: 'alice@example.com',
      password: 'p',
    });
    let seen: { req: HttpRequest; options: HttpOptions } | undefined;
    const transport: HttpTransport = async (req, options) => {
      seen = { req, options };
      return recorded(500, '');
    };
    const answer = await securityTokenRequest(endpoint, rst, { transport, maxRedirects: 5 });
    assert.equal(answer.status, 500, 'any status is handed back, for the process half');
    assert.equal(seen?.req.method, 'POST');
    assert.equal(String(seen?.req.url), endpoint.address);
    assert.deepEqual(seen?.req.headers, {
      'content-type': 'application/soap+xml; charset=utf-8',
      soapaction: WSTRUST13.issueAction,
    });
    assert.equal(seen?.req.body, rst.body);
    assert.equal(seen?.options.maxRedirects, 0);
  });
});

describe('processSecurityTokenResponse on recorded responses', () => {
  test('200 with an RSTR: the token', () => {
    assert.equal(process(200, response()).samlVersion, '1.1');
  });
  test('the content type is not what decides (macOS reads the body whatever it says)', () => {
    for (const headers of [{}, { 'content-type': 'text/xml' }, { 'content-type': 'text/plain' }])
      assert.equal(process(200, response(), headers).samlVersion, '1.1');
  });
  test('1. status: 500 carries the SOAP fault; anything but 200/500 is PSSO_ERR_HTTP_STATUS', () => {
    const fault = response({
      fault: { code: 's:Sender', subcode: 'a:FailedAuthentication', reason: 'MSIS7068' },
    });
    assertCode(
      () => process(500, fault),
      'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION',
      WsTrustFaultError,
    );
    for (const status of [201, 302, 400, 401, 404, 503]) {
      const e = assertCode(() => process(status, response()), 'PSSO_ERR_HTTP_STATUS', HttpError);
      assert.equal(e.status, status);
    }
  });
  test('2. content type: an HTML page in place of the STS is PSSO_ERR_HTTP_CONTENT_TYPE, on 200 and 500', () => {
    for (const status of [200, 500]) {
      const e = assertCode(
        () => process(status, '<!DOCTYPE html><html/>', { 'content-type': 'text/html' }),
        'PSSO_ERR_HTTP_CONTENT_TYPE',
        HttpError,
      );
      assert.equal(e.status, status);
      assert.equal(e.contentType, 'text/html');
    }
  });
  test('3. shape: not XML, not a SOAP 1.2 envelope, not the RSTR of the version', () => {
    assert.throws(() => process(200, 'plain text'), XmlError);
    assertCode(() => process(200, response({ soap: '1.1' })), 'PSSO_ERR_SOAP_VERSION_MISMATCH');
    assertCode(() => process(200, '<x/>'), 'PSSO_ERR_SOAP_NOT_ENVELOPE', WsTrustError);
    assertCode(
      () => process(200, response({ collection: false })),
      'PSSO_ERR_WSTRUST_RESPONSE_SHAPE',
      WsTrustError,
    );
  });
  test('4. fields: no TokenType', () => {
    assertCode(
      () => process(200, response({ tokenType: null })),
      'PSSO_ERR_WSTRUST_TOKEN_TYPE_MISSING',
    );
  });
  test('5. expected values: another RelatesTo, a Created in the future', () => {
    assertCode(
      () => process(200, response({ relatesTo: 'urn:uuid:other' })),
      'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH',
    );
    assertCode(
      () =>
        process(
          200,
          response({ created: '2026-11-29T10:30:00.000Z', expires: '2026-11-29T10:35:00.000Z' }),
        ),
      'PSSO_ERR_WSTRUST_CREATED_IN_FUTURE',
    );
  });
  test('caller misuse is a TypeError', () => {
    assert.throws(() => processSecurityTokenResponse(response() as never, expected), TypeError);
  });
});
