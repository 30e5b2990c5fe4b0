/**
 * The server nonce (docs/PLATFORM-SSO.md §3.1): the first request of every login. POST
 * `grant_type=srv_challenge` and the custom values to the nonce endpoint; read the nonce at the
 * configured key path, falling back to `Nonce`.
 *
 * @module
 */
import { LoginError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import { httpRequest } from '../../http/request.js';
import { GRANT_TYPE } from '../../protocol/grant-types.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import { valueForKeyPath } from '../predicate/keypath.js';
import { encodeItems } from './form.js';
import { jsonObject } from './json.js';

/** A request to send. */
export interface FormRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Builds the nonce request. `requestId` is the context's `client-request-id` (an uppercase UUID,
 * the same on every request of one login).
 *
 * @example
 * ```ts
 * const req = nonceRequest(config, randomUUID().toUpperCase());
 * ```
 */
export function nonceRequest(config: ResolvedLoginConfiguration, requestId: string): FormRequest {
  return {
    url: config.nonceEndpointURL,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'client-request-id': requestId,
    },
    body: encodeItems([
      { name: 'grant_type', value: GRANT_TYPE.serverChallenge },
      ...config.customNonceRequestValues,
    ]),
  };
}

/**
 * Reads the nonce from the answer: any 2xx status, a JSON object, a non-empty string at
 * `nonceResponseKeypath` (else at `Nonce`).
 *
 * @throws {LoginError} `PSSO_ERR_NONCE_RESPONSE` (with `status` for a non-2xx answer).
 *
 * @example
 * ```ts
 * const nonce = processNonceResponse(config, res.status, res.body);
 * ```
 */
export function processNonceResponse(
  config: ResolvedLoginConfiguration,
  status: number,
  body: Uint8Array,
): string {
  if (status < 200 || status > 299) {
    throw new LoginError('PSSO_ERR_NONCE_RESPONSE', 'The server nonce request failed', { status });
  }
  const json = jsonObject(body, 'PSSO_ERR_NONCE_RESPONSE', 'server nonce response');
  const value = valueForKeyPath(json, config.nonceResponseKeypath) ?? json.Nonce;
  if (typeof value !== 'string' || value === '' || value.length > 4096) {
    throw new LoginError('PSSO_ERR_NONCE_RESPONSE', 'The server nonce response holds no nonce');
  }
  return value;
}

/**
 * Requests a server nonce.
 *
 * @example
 * ```ts
 * const nonce = await fetchServerNonce(config, requestId, { ca });
 * ```
 */
export async function fetchServerNonce(
  config: ResolvedLoginConfiguration,
  requestId: string,
  http?: HttpOptions,
): Promise<string> {
  const req = nonceRequest(config, requestId);
  const res = await httpRequest(
    { method: 'POST', url: req.url, headers: req.headers, body: req.body },
    http,
  );
  return processNonceResponse(config, res.status, res.body);
}
