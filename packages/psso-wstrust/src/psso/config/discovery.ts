/**
 * Reading an IdP's discovery document (`GET /.well-known/psso-configuration`, served by the
 * reference IdP) as a request/response pair ({@link discoveryRequest} /
 * {@link processDiscoveryResponse}): a login configuration in the JSON form of
 * docs/PLATFORM-SSO.md §2, fetched over the bounded https client and handed back unvalidated (the
 * caller validates it with `parseLoginConfiguration`, after any override).
 *
 * @module
 */
import { ConfigError, HttpError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import {
  assertRecordedResponse,
  type HttpResponse,
  type RecordedResponse,
  sendHttpRequest,
} from '../../http/request.js';
import { JSON_MEDIA_TYPE } from '../../protocol/media-types.js';

/** The path of the discovery document under an IdP's origin. */
export const PSSO_CONFIGURATION_PATH = '/.well-known/psso-configuration';

/**
 * The discovery document URL for what a user typed: an origin (or a URL with no path) gets
 * {@link PSSO_CONFIGURATION_PATH}; a URL with a path is taken as is.
 *
 * @throws {TypeError} when `text` is not an absolute URL.
 * @example
 * ```ts
 * discoveryUrl('https://idp.example.com:8443'); // 'https://idp.example.com:8443/.well-known/psso-configuration'
 * ```
 */
export function discoveryUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError('--idp must be an absolute URL, e.g. https://127.0.0.1:8443');
  }
  if (url.pathname === '/' && url.search === '') return `${url.origin}${PSSO_CONFIGURATION_PATH}`;
  return url.href;
}

/**
 * GETs the discovery document at `url` (see {@link discoveryUrl}) and returns the response as
 * received, whatever its status.
 *
 * @throws {HttpError} any transport code.
 * @example
 * ```ts
 * const doc = processDiscoveryResponse(await discoveryRequest(discoveryUrl('https://idp.example.com'), { ca }));
 * const config = parseLoginConfiguration(doc);
 * ```
 */
export async function discoveryRequest(url: string, options?: HttpOptions): Promise<HttpResponse> {
  return sendHttpRequest({ method: 'GET', url, headers: { accept: JSON_MEDIA_TYPE } }, options);
}

/**
 * Judges a discovery answer, in order: the status (200), the content type (not checked), the
 * shape (a JSON object, handed back unvalidated: the caller validates it with
 * `parseLoginConfiguration`, after any override).
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_STATUS` (with `status`) for another status than 200.
 * @throws {ConfigError} `PSSO_ERR_CONFIG_JSON` when the body is not a JSON object (never quoted).
 * @example
 * ```ts
 * const doc = processDiscoveryResponse({ status: 200, headers: {}, body });
 * ```
 */
export function processDiscoveryResponse(response: RecordedResponse): Record<string, unknown> {
  assertRecordedResponse(response, 'processDiscoveryResponse');
  if (response.status !== 200)
    throw new HttpError(
      'PSSO_ERR_HTTP_STATUS',
      `the discovery document answered HTTP ${response.status}, not 200`,
      { status: response.status },
    );
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(response.body));
  } catch {
    json = undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError('PSSO_ERR_CONFIG_JSON', 'the discovery document is not a JSON object');
  return json as Record<string, unknown>;
}
