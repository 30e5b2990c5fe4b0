/**
 * The WS-Trust step (docs/PLATFORM-SSO.md §1.4–§1.5, docs/PROTOCOL.md §3–§4) as a request/response
 * pair: {@link securityTokenRequest} POSTs a built RequestSecurityToken (SOAP 1.2,
 * `application/soap+xml; charset=utf-8` and the SOAPAction header, no redirect followed, 30 s
 * default timeout) and returns the raw response; {@link processSecurityTokenResponse} judges that
 * response, recorded or live, with no network: status (200, or 500 for a SOAP fault, as AD FS
 * sends them), content type, then the RSTR rules in macOS's order (`rstr.ts`).
 *
 * @module
 */
import { HttpError } from '../errors.js';
import { refuseHtmlPage } from '../http/content-type.js';
import { statusHint } from '../http/failure.js';
import type { HttpOptions } from '../http/options.js';
import {
  assertRecordedResponse,
  type HttpResponse,
  type RecordedResponse,
  sendHttpRequest,
} from '../http/request.js';
import type { MexEndpoint } from '../mex/types.js';
import { SOAP12_CONTENT_TYPE } from '../protocol/media-types.js';
import type { RequestSecurityToken } from './rst.js';
import { type ExpectedResponse, readSecurityTokenResponse, type WsTrustToken } from './rstr.js';

/**
 * POSTs `rst` (from `buildRequestSecurityToken`) to `endpoint` and returns the response as
 * received, whatever its status.
 *
 * @throws {HttpError} on a transport failure or a limit breach (never for a status).
 *
 * @example
 * ```ts
 * const rst = buildRequestSecurityToken({ endpoint, appliesTo, username, password });
 * const response = await securityTokenRequest(endpoint, rst);
 * const token = processSecurityTokenResponse(response, { version: endpoint.version, messageId: rst.messageId });
 * ```
 */
export async function securityTokenRequest(
  endpoint: MexEndpoint,
  rst: RequestSecurityToken,
  options?: HttpOptions,
): Promise<HttpResponse> {
  return sendHttpRequest(
    {
      method: 'POST',
      url: endpoint.address,
      headers: { 'content-type': SOAP12_CONTENT_TYPE, soapaction: rst.soapAction },
      body: rst.body,
    },
    { ...options, maxRedirects: 0 },
  );
}

/**
 * Judges a WS-Trust response and extracts its SAML assertion byte for byte, in order: the status
 * (200 or 500, as macOS), the content type (an HTML page is refused; macOS reads any other), then
 * the envelope, RelatesTo, fault, timestamps, RSTR shape, token and TokenType (see `rstr.ts`).
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_STATUS` (with `status`) or `PSSO_ERR_HTTP_CONTENT_TYPE`.
 * @throws {XmlError} when the body is not well-formed XML.
 * @throws {WsTrustFaultError} when the STS answered with a SOAP fault.
 * @throws {WsTrustError} when a validation rule fails; the code says which.
 *
 * @example
 * ```ts
 * const token = processSecurityTokenResponse(response, { version: '1.3', messageId: rst.messageId });
 * token.grantType; // 'urn:ietf:params:oauth:grant-type:saml1_1-bearer'
 * ```
 */
export function processSecurityTokenResponse(
  response: RecordedResponse,
  expected: ExpectedResponse,
): WsTrustToken {
  assertRecordedResponse(response, 'processSecurityTokenResponse');
  if (response.status !== 200 && response.status !== 500) {
    throw new HttpError(
      'PSSO_ERR_HTTP_STATUS',
      'The WS-Trust request failed with an HTTP status other than 200 or 500',
      { status: response.status, hint: statusHint(response.status) },
    );
  }
  refuseHtmlPage(response, 'WS-Trust');
  return readSecurityTokenResponse(response.body, expected);
}
