/**
 * Dynamic WS-Trust discovery (docs/PLATFORM-SSO.md §1.2): GET the user-preauthentication URL with
 * `user=` and the custom values, evaluate the federation predicate on the JSON answer, and take
 * the MEX URL from the configured key path, else from `federation_metadata_url`. Not federated
 * means a password login. Any failure fails the login (macOS has no fallback).
 *
 * @module
 */
import { LoginError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import { httpRequest } from '../../http/request.js';
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
 * Builds the preauthentication GET: the configured URL's own query items first, then `user`,
 * then the custom values.
 *
 * @example
 * ```ts
 * const { url, headers } = preauthenticationRequest(config, 'alice@example.com', requestId);
 * ```
 */
export function preauthenticationRequest(
  config: ResolvedLoginConfiguration,
  username: string,
  requestId: string,
): { url: URL; headers: Readonly<Record<string, string>> } {
  const base = config.federationUserPreauthenticationURL;
  if (base === undefined)
    throw new TypeError('the configuration has no federationUserPreauthenticationURL');
  const url = new URL(base.href);
  const items = encodeItems([
    { name: 'user', value: username },
    ...config.customFederationUserPreauthenticationRequestValues,
  ]);
  url.search = url.search === '' ? `?${items}` : `${url.search}&${items}`;
  return { url, headers: { accept: 'application/json', 'client-request-id': requestId } };
}

/**
 * Decides from the answer: any 2xx, a JSON object, the predicate evaluated on it.
 *
 * @throws {LoginError} `PSSO_ERR_PREAUTH_RESPONSE`; {PredicateError} when the predicate cannot be
 *   evaluated (macOS fails the login then too).
 *
 * @example
 * ```ts
 * const r = processPreauthenticationResponse(config, 200, body); // { federated: true, mexUrl }
 * ```
 */
export function processPreauthenticationResponse(
  config: ResolvedLoginConfiguration,
  status: number,
  body: Uint8Array,
): PreauthResult {
  if (status < 200 || status > 299) {
    throw new LoginError('PSSO_ERR_PREAUTH_RESPONSE', 'The preauthentication request failed', {
      status,
    });
  }
  const json = jsonObject(body, 'PSSO_ERR_PREAUTH_RESPONSE', 'preauthentication response');
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

/**
 * Runs preauthentication for `username`.
 *
 * @example
 * ```ts
 * const r = await preauthenticate(config, 'alice@federated.example', requestId, { ca });
 * if (r.federated) await wsTrustLogin({ mexUrl: r.mexUrl, … });
 * ```
 */
export async function preauthenticate(
  config: ResolvedLoginConfiguration,
  username: string,
  requestId: string,
  http?: HttpOptions,
): Promise<PreauthResult> {
  const req = preauthenticationRequest(config, username, requestId);
  const res = await httpRequest({ method: 'GET', url: req.url, headers: req.headers }, http);
  return processPreauthenticationResponse(config, res.status, res.body);
}
