/**
 * Recorded HTTP responses for the `process…Response` functions, and a transport that captures
 * what a `…Request` function sends (and answers it with a canned response), so both halves of a
 * protocol step are tested with no network.
 */
import assert from 'node:assert/strict';
import type {
  HttpRequest,
  HttpResponse,
  HttpTransport,
} from '../../packages/psso-wstrust/src/http/request.ts';

/**
 * A response as recorded: `status`, the body (text or bytes) and headers (lower-case names).
 *
 * @example
 * ```ts
 * processNonceResponse(recorded(200, '{"Nonce":"n"}', { 'content-type': 'application/json' }), config);
 * ```
 */
export function recorded(
  status: number,
  body: string | Uint8Array = '',
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers,
    body: typeof body === 'string' ? new Uint8Array(Buffer.from(body, 'utf8')) : body,
    url: 'https://recorded.invalid/',
  };
}

/**
 * A transport that records each request and answers `answer`.
 *
 * @example
 * ```ts
 * const sent = capture(recorded(200, '{}'));
 * await nonceRequest(config, id, { transport: sent.transport });
 * sent.only().body; // 'grant_type=srv_challenge'
 * ```
 */
export function capture(answer: HttpResponse): {
  transport: HttpTransport;
  requests: HttpRequest[];
  only: () => HttpRequest;
} {
  const requests: HttpRequest[] = [];
  return {
    requests,
    transport: async (req) => {
      requests.push(req);
      return answer;
    },
    only: () => {
      assert.equal(requests.length, 1, 'exactly one request');
      return requests[0] as HttpRequest;
    },
  };
}
