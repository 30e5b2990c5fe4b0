/**
 * Fetching a MEX document: GET, no Content-Type (a WAF blocked clients that sent one), https only,
 * bounded time and size, no redirect unless allowed. Any status outside 200–299 fails, as on macOS.
 *
 * @module
 */
import { HttpError } from '../errors.js';
import { statusHint } from '../http/failure.js';
import type { HttpOptions } from '../http/options.js';
import { httpRequest } from '../http/request.js';
import type { XmlLimits } from '../xml/limits.js';
import { parseMex } from './parse.js';
import type { MexMetadata } from './types.js';

/**
 * GETs the MEX document at `url` and returns its bytes.
 *
 * @throws {HttpError} on a transport failure, a limit breach or a status outside 200–299.
 *
 * @example
 * ```ts
 * const bytes = await fetchMexDocument('https://sts.example.com/adfs/services/trust/mex');
 * ```
 */
export async function fetchMexDocument(
  url: string | URL,
  options?: HttpOptions,
): Promise<Uint8Array> {
  const response = await httpRequest({ method: 'GET', url }, options);
  if (response.status < 200 || response.status > 299) {
    throw new HttpError(
      'PSSO_ERR_HTTP_STATUS',
      'The MEX request failed with an HTTP status outside 200-299',
      {
        status: response.status,
        hint: statusHint(response.status),
      },
    );
  }
  return response.body;
}

/**
 * Fetches and parses the MEX document at `url`.
 *
 * @throws {HttpError} | {XmlError} | {MexError}
 *
 * @example
 * ```ts
 * const mex = await fetchMex('https://sts.example.com/adfs/services/trust/mex', { timeoutMs: 10_000 });
 * mex.usernamePassword[0]; // the endpoint to use
 * ```
 */
export async function fetchMex(
  url: string | URL,
  options?: HttpOptions & { xmlLimits?: XmlLimits },
): Promise<MexMetadata> {
  return parseMex(await fetchMexDocument(url, options), options?.xmlLimits);
}
