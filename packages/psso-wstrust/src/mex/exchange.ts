/**
 * The MEX step (docs/PLATFORM-SSO.md §1.3, docs/PROTOCOL.md §2) as a request/response pair:
 * {@link mexRequest} GETs the document (no Content-Type: a WAF blocked clients that sent one;
 * https only, bounded time and size, no redirect unless allowed) and returns the raw response;
 * {@link processMexResponse} judges that response, recorded or live, with no network: status,
 * content type, then the document.
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
import type { XmlLimits } from '../xml/limits.js';
import { parseMex } from './parse.js';
import type { MexMetadata } from './types.js';

/**
 * GETs the MEX document at `url` and returns the response as received, whatever its status.
 *
 * @throws {HttpError} on a transport failure or a limit breach (never for a status).
 *
 * @example
 * ```ts
 * const response = await mexRequest('https://sts.example.com/adfs/services/trust/mex');
 * const mex = processMexResponse(response);
 * ```
 */
export async function mexRequest(url: string | URL, options?: HttpOptions): Promise<HttpResponse> {
  return sendHttpRequest({ method: 'GET', url }, options);
}

/**
 * Judges a MEX response, in order: the status (2xx, as macOS), the content type (an HTML page is
 * refused; macOS reads any other), then the document: well-formed XML, and the username/password
 * endpoints it offers (see `parseMex`).
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_STATUS` (with `status`) or `PSSO_ERR_HTTP_CONTENT_TYPE`.
 * @throws {XmlError} | {MexError} for the document.
 *
 * @example
 * ```ts
 * const mex = processMexResponse({ status: 200, headers: {}, body: savedBytes });
 * mex.usernamePassword[0]; // the endpoint to use
 * ```
 */
export function processMexResponse(
  response: RecordedResponse,
  options: { readonly xmlLimits?: XmlLimits } = {},
): MexMetadata {
  assertRecordedResponse(response, 'processMexResponse');
  if (response.status < 200 || response.status > 299) {
    throw new HttpError(
      'PSSO_ERR_HTTP_STATUS',
      'The MEX request failed with an HTTP status outside 200-299',
      { status: response.status, hint: statusHint(response.status) },
    );
  }
  refuseHtmlPage(response, 'MEX');
  return parseMex(response.body, options.xmlLimits);
}
