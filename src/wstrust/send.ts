/**
 * Sending a RequestSecurityToken: SOAP 1.2 POST with `application/soap+xml; charset=utf-8` and
 * the SOAPAction header, no redirect followed, 30 s default timeout. A 200 or a 500 (AD FS sends
 * faults as 500) carries a body to process; any other status is an error carrying the status.
 *
 * @module
 */
import { HttpError } from '../errors.js';
import { statusHint } from '../http/failure.js';
import type { HttpOptions } from '../http/options.js';
import { httpRequest } from '../http/request.js';
import type { MexEndpoint } from '../mex/types.js';
import { SOAP12_CONTENT_TYPE } from '../protocol/media-types.js';
import type { RequestSecurityToken } from './rst.js';

/**
 * POSTs `rst` to `endpoint` and returns the response body for
 * {@link processRequestSecurityTokenResponse}.
 *
 * @throws {HttpError} on a transport failure, a limit breach, or a status other than 200/500.
 *
 * @example
 * ```ts
 * const body = await sendRequestSecurityToken(endpoint, rst);
 * const token = processRequestSecurityTokenResponse(body, { version: endpoint.version, messageId: rst.messageId });
 * ```
 */
export async function sendRequestSecurityToken(
  endpoint: MexEndpoint,
  rst: RequestSecurityToken,
  options?: HttpOptions,
): Promise<Uint8Array> {
  const response = await httpRequest(
    {
      method: 'POST',
      url: endpoint.address,
      headers: { 'content-type': SOAP12_CONTENT_TYPE, soapaction: rst.soapAction },
      body: rst.body,
    },
    { ...options, maxRedirects: 0 },
  );
  if (response.status !== 200 && response.status !== 500) {
    throw new HttpError(
      'PSSO_ERR_HTTP_STATUS',
      'The WS-Trust request failed with an HTTP status other than 200 or 500',
      { status: response.status, hint: statusHint(response.status) },
    );
  }
  return response.body;
}
