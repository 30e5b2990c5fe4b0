/**
 * Dynamic WS-Trust discovery (docs/PLATFORM-SSO.md §1.2) as a request/response pair:
 * {@link preauthenticationRequest} GETs the user-preauthentication URL with `user=` and the custom
 * values; {@link processPreauthenticationResponse} evaluates the federation predicate on the JSON
 * answer and takes the MEX URL from the configured key path, else from `federation_metadata_url`.
 * Not federated means a password login. Any failure fails the login (macOS has no fallback).
 *
 * @module
 */
import { LoginError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import {
  assertRecordedResponse,
  type HttpResponse,
  type RecordedResponse,
  sendHttpRequest,
} from '../../http/request.js';
import { JSON_MEDIA_TYPE } from '../../protocol/media-types.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import { parsePredicate } from '../predicate/index.js';
import { valueForKeyPath } from '../predicate/keypath.js';
import { encodeItems } from './form.js';
import { jsonObject } from './json.js';

/** What preauthentication decided. */
export type PreauthResult =
  | { readonly federated: false }
  | { readonly federated: true; readonly mexUrl: URL };

/**
 * GETs the user-preauthentication URL for `username` and returns the response as received,
 * whatever its status: the configured URL's own query items first, then `user`, then the custom
 * values.
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 * @throws {TypeError} when the configuration has no `federationUserPreauthenticationURL`.
 *
 * @example
 * ```ts
 * const response = await preauthenticationRequest(config, 'alice@example.com', requestId, { ca });
 * const r = processPreauthenticationResponse(response, config); // { federated: true, mexUrl }
 * ```
 */
export async function preauthenticationRequest(
  config: ResolvedLoginConfiguration,
  username: string,
  requestId: string,
  options?: HttpOptions,
): Promise<HttpResponse> {
  const base = config.federationUserPreauthenticationURL;
  if (base === undefined)
    throw new TypeError('the configuration has no federationUserPreauthenticationURL');
  const url = new URL(base.href);
  const items = encodeItems([
    { name: 'user', value: username },
    ...config.customFederationUserPreauthenticationRequestValues,
  ]);
  url.search = url.search === '' ? `?${items}` : `${url.search}&${items}`;
  return sendHttpRequest(
    { method: 'GET', url, headers: { accept: JSON_MEDIA_TYPE, 'client-request-id': requestId } },
    options,
  );
}

/**
 * Decides from the answer, in order: the status (any 2xx), the content type (not checked: macOS
 * reads the body whatever it says), the shape (a JSON object), the federation predicate evaluated
 * on it, then the field (the MEX URL at `federationMEXURLKeypath`, else `federation_metadata_url`).
 *
 * @throws {LoginError} `PSSO_ERR_PREAUTH_RESPONSE` (with `status` for a non-2xx answer);
 *   {PredicateError} when the predicate cannot be evaluated (macOS fails the login then too).
 *
 * @example
 * ```ts
 * const r = processPreauthenticationResponse({ status: 200, headers: {}, body }, config);
 * if (r.federated) await wsTrustLogin({ mexUrl: r.mexUrl, … });
 * ```
 */
export function processPreauthenticationResponse(
  response: RecordedResponse,
  config: ResolvedLoginConfiguration,
): PreauthResult {
  assertRecordedResponse(response, 'processPreauthenticationResponse');
  const { status } = response;
  if (status < 200 || status > 299) {
    throw new LoginError('PSSO_ERR_PREAUTH_RESPONSE', 'The preauthentication request failed', {
      status,
    });
  }
  const json = jsonObject(response.body, 'PSSO_ERR_PREAUTH_RESPONSE', 'preauthentication response');
  const predicate = config.federationPredicate;
  if (predicate === undefined) throw new TypeError('the configuration has no federationPredicate');
  if (!parsePredicate(predicate).evaluate(json)) return { federated: false };
  const keyed =
    config.federationMEXURLKeypath === undefined
      ? undefined
      : valueForKeyPath(json, config.federationMEXURLKeypath);
  const value = keyed ?? json.federation_metadata_url;
  if (typeof value !== 'string' || value === '') {
    throw new LoginError(
      'PSSO_ERR_PREAUTH_RESPONSE',
      'The user is federated but the answer names no MEX URL',
    );
  }
  try {
    return { federated: true, mexUrl: new URL(value) };
  } catch {
    throw new LoginError(
      'PSSO_ERR_PREAUTH_RESPONSE',
      'The MEX URL in the preauthentication answer is not a URL',
    );
  }
}
