/**
 * The content type step of the `process…Response` functions: the declared media type, and the one
 * refusal every XML step shares. macOS reads the MEX and the RSTR whatever their Content-Type says
 * (docs/PLATFORM-SSO.md §1.3, §1.5), so nothing a Mac accepts is refused here, except an answer
 * that declares itself an HTML page: that is a sign-in page, a proxy or a firewall answering in
 * the STS's place, and a Mac fails on it too (it is no SOAP and no WSDL); it gets its own code
 * instead of an XML parse error.
 *
 * @module
 */
import { HttpError } from '../errors.js';
import type { RecordedResponse } from './request.js';

/**
 * The declared media type: lower case, without parameters; `undefined` when there is none.
 *
 * @example
 * ```ts
 * mediaType({ 'content-type': 'Application/SOAP+XML; charset=utf-8' }); // 'application/soap+xml'
 * ```
 */
export function mediaType(headers: Readonly<Record<string, string>>): string | undefined {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? undefined : type;
}

const HTML = new Set(['text/html', 'application/xhtml+xml']);

/**
 * Refuses an answer declared as an HTML page.
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_CONTENT_TYPE` with `status` and `contentType`.
 *
 * @example
 * ```ts
 * refuseHtmlPage(response, 'MEX'); // then parse the XML
 * ```
 */
export function refuseHtmlPage(response: RecordedResponse, step: string): void {
  const type = mediaType(response.headers);
  if (type === undefined || !HTML.has(type)) return;
  throw new HttpError(
    'PSSO_ERR_HTTP_CONTENT_TYPE',
    `The ${step} answer is an HTML page, not XML: a sign-in page, a proxy or a firewall answered in place of the server`,
    {
      status: response.status,
      contentType: type,
      hint: 'open the URL in a browser to see which page answers; a federation proxy (WAP) or a firewall must pass the request to the STS unchanged',
    },
  );
}
