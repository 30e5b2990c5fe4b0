/**
 * Query and form encoding as Platform SSO does it (NSURLComponents): each name and value
 * percent-encoded, but the characters a query may carry (`:` `/` `?` `@` `!` `$` `'` `(` `)` `*`
 * `,` `;` `-` `.` `_` `~`) left as they are. `&`, `=`, `+`, `#` and `%` are always escaped so
 * values cannot split or change meaning. And the POST of such a form, shared by every Platform SSO
 * request that sends one.
 *
 * @module
 */
import type { HttpOptions } from '../../http/options.js';
import { type HttpResponse, sendHttpRequest } from '../../http/request.js';
import { FORM_CONTENT_TYPE } from '../../protocol/media-types.js';
import type { QueryItems } from '../config/types.js';

const KEEP = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/g;

/**
 * Encodes one component.
 *
 * @example
 * ```ts
 * encodeComponent('urn:ietf:params:oauth:grant-type:jwt-bearer'); // unchanged
 * encodeComponent('a+b&c'); // 'a%2Bb%26c'
 * ```
 */
export function encodeComponent(value: string): string {
  return encodeURIComponent(value).replace(KEEP, (m) => decodeURIComponent(m));
}

/**
 * `name=value&…` for the items, in order.
 *
 * @example
 * ```ts
 * encodeItems([{ name: 'grant_type', value: 'srv_challenge' }]); // 'grant_type=srv_challenge'
 * ```
 */
export function encodeItems(items: QueryItems): string {
  return items.map((i) => `${encodeComponent(i.name)}=${encodeComponent(i.value)}`).join('&');
}

/**
 * POSTs a Platform SSO form (nonce, login, refresh, key and user key requests): the form content
 * type, `accept`, and the context's `client-request-id`; returns the response as received.
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 *
 * @example
 * ```ts
 * const res = await postForm(config.nonceEndpointURL, 'grant_type=srv_challenge', { accept: 'application/json', requestId }, http);
 * ```
 */
export function postForm(
  url: string | URL,
  body: string,
  o: { readonly accept: string; readonly requestId: string },
  options?: HttpOptions,
): Promise<HttpResponse> {
  return sendHttpRequest(
    {
      method: 'POST',
      url,
      headers: {
        'content-type': FORM_CONTENT_TYPE,
        accept: o.accept,
        'client-request-id': o.requestId,
      },
      body,
    },
    options,
  );
}
