/**
 * The server nonce (docs/PLATFORM-SSO.md §3.1), the first request of every login, as a
 * request/response pair: {@link nonceRequest} POSTs `grant_type=srv_challenge` and the custom
 * values to the nonce endpoint and returns the raw response; {@link processNonceResponse} reads
 * the nonce from it, recorded or live, with no network: the nonce at the configured key path,
 * falling back to `Nonce`.
 *
 * @module
 */
import { LoginError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import {
  assertRecordedResponse,
  type HttpResponse,
  type RecordedResponse,
} from '../../http/request.js';
import { GRANT_TYPE } from '../../protocol/grant-types.js';
import { JSON_MEDIA_TYPE } from '../../protocol/media-types.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import { valueForKeyPath } from '../predicate/keypath.js';
import { encodeItems, postForm } from './form.js';
import { jsonObject } from './json.js';

/**
 * POSTs the nonce request and returns the response as received, whatever its status.
 * `requestId` is the context's `client-request-id` (an uppercase UUID, the same on every request
 * of one login).
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 *
 * @example
 * ```ts
 * const requestId = randomUUID().toUpperCase();
 * const nonce = processNonceResponse(await nonceRequest(config, requestId, { ca }), config);
 * ```
 */
export async function nonceRequest(
  config: ResolvedLoginConfiguration,
  requestId: string,
  options?: HttpOptions,
): Promise<HttpResponse> {
  const body = encodeItems([
    { name: 'grant_type', value: GRANT_TYPE.serverChallenge },
    ...config.customNonceRequestValues,
  ]);
  return postForm(config.nonceEndpointURL, body, { accept: JSON_MEDIA_TYPE, requestId }, options);
}

/**
 * Reads the nonce from the answer, in order: the status (any 2xx), the content type (not checked:
 * macOS reads the body whatever it says), the shape (a JSON object), the field (a non-empty string
 * at `nonceResponseKeypath`, else at `Nonce`).
 *
 * @throws {LoginError} `PSSO_ERR_NONCE_RESPONSE` (with `status` for a non-2xx answer).
 *
 * @example
 * ```ts
 * const nonce = processNonceResponse({ status: 200, headers: {}, body }, config);
 * ```
 */
export function processNonceResponse(
  response: RecordedResponse,
  config: ResolvedLoginConfiguration,
): string {
  assertRecordedResponse(response, 'processNonceResponse');
  const { status } = response;
  if (status < 200 || status > 299) {
    throw new LoginError('PSSO_ERR_NONCE_RESPONSE', 'The server nonce request failed', { status });
  }
  const json = jsonObject(response.body, 'PSSO_ERR_NONCE_RESPONSE', 'server nonce response');
  const value = valueForKeyPath(json, config.nonceResponseKeypath) ?? json.Nonce;
  if (typeof value !== 'string' || value === '' || value.length > 4096) {
    throw new LoginError('PSSO_ERR_NONCE_RESPONSE', 'The server nonce response holds no nonce');
  }
  return value;
}
