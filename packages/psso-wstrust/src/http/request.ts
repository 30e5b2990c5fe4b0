/**
 * One bounded HTTP exchange: https only, one overall deadline covering connect, headers and the
 * whole body (a server dribbling bytes cannot keep it alive), a response size cap enforced while
 * reading, and no redirect unless asked for — each hop re-checked. Every limit breach has its own
 * error code; the status is otherwise returned as is (callers decide which they accept).
 *
 * @module
 */
import { request } from 'undici';
import { agentFor } from './agents.js';
import { raceAbort, startDeadline } from './deadline.js';
import { targetOf, toTransportError } from './failure.js';
import { type ConnectionFacts, type HttpExchange, withConnectionFacts } from './observe.js';
import { type HttpOptions, resolveLimits } from './options.js';
import { hopHeaders, nextHop } from './redirect.js';
import { discardBody, flattenHeaders, readBody } from './response.js';
import { checkUrl } from './url.js';

export { closeHttpAgents } from './agents.js';

/**
 * A request to make.
 *
 * @example
 * ```ts
 * const req: HttpRequest = { method: 'POST', url, headers: { 'content-type': 'application/soap+xml' }, body };
 * ```
 */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/**
 * A response as every `process…Response` function reads it: status, headers and body bytes, as
 * received or as recorded (a saved exchange is judged with no network).
 *
 * @example
 * ```ts
 * const recorded: RecordedResponse = { status: 200, headers: { 'content-type': 'application/json' }, body };
 * processNonceResponse(recorded, config);
 * ```
 */
export interface RecordedResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/**
 * Checks that a caller handed a `process…Response` function a response.
 *
 * @throws {TypeError} when `value` has no numeric status, no headers object or no byte body.
 *
 * @example
 * ```ts
 * assertRecordedResponse(response, 'processMexResponse');
 * ```
 */
export function assertRecordedResponse(
  value: unknown,
  fn: string,
): asserts value is RecordedResponse {
  const r = value as Partial<RecordedResponse> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    !Number.isInteger(r.status) ||
    typeof r.headers !== 'object' ||
    r.headers === null ||
    !(r.body instanceof Uint8Array)
  )
    throw new TypeError(`${fn}: response must be { status, headers, body: Uint8Array }`);
}

/**
 * A complete response, body read in full.
 *
 * @example
 * ```ts
 * const res: HttpResponse = await httpRequest({ method: 'GET', url });
 * if (res.headers['content-type']?.startsWith('application/soap+xml')) parse(res.body);
 * ```
 */
export interface HttpResponse extends RecordedResponse {
  /** The URL that answered (after any redirect followed). */
  readonly url: string;
}

/**
 * What sends a request: {@link httpRequest} by default; a caller may put its own in
 * `HttpOptions.transport` (`check` records every exchange that way; a test may replay recorded
 * ones). It gets the options the request was made with.
 *
 * @example
 * ```ts
 * const recording: HttpTransport = async (req, options) => {
 *   const res = await httpRequest(req, options);
 *   log.push({ req, res });
 *   return res;
 * };
 * await mexRequest(url, { transport: recording });
 * ```
 */
export type HttpTransport = (req: HttpRequest, options: HttpOptions) => Promise<HttpResponse>;

/**
 * Sends `req` through `options.transport`, else through {@link httpRequest}: what every
 * `…Request` function of a protocol step calls.
 *
 * @throws what the transport throws ({@link httpRequest}: an `HttpError`).
 *
 * @example
 * ```ts
 * const res = await sendHttpRequest({ method: 'GET', url }, options);
 * ```
 */
export function sendHttpRequest(
  req: HttpRequest,
  options: HttpOptions = {},
): Promise<HttpResponse> {
  return (options.transport ?? httpRequest)(req, options);
}

/**
 * Makes the request and reads the whole response within the limits of `options`.
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_INVALID_URL`, `PSSO_ERR_HTTP_INSECURE_URL`,
 * `PSSO_ERR_HTTP_TIMEOUT`, `PSSO_ERR_HTTP_RESPONSE_TOO_LARGE`, `PSSO_ERR_HTTP_REDIRECT` (with
 * `status`), `PSSO_ERR_HTTP_TOO_MANY_REDIRECTS` or `PSSO_ERR_HTTP_NETWORK` (undici's error as
 * `cause`). A caller abort rethrows `options.signal.reason`. A bad option is a `TypeError`.
 *
 * @example
 * ```ts
 * const res = await httpRequest(
 *   { method: 'GET', url: 'https://sts.example.com/adfs/services/trust/mex' },
 *   { timeoutMs: 10_000 },
 * );
 * if (res.status === 200) parseMex(res.body);
 * ```
 */
export async function httpRequest(
  req: HttpRequest,
  options: HttpOptions = {},
): Promise<HttpResponse> {
  if (req.method !== 'GET' && req.method !== 'POST') {
    throw new TypeError('method must be GET or POST');
  }
  const { timeoutMs, maxResponseBytes, maxRedirects } = resolveLimits(options);
  let url = checkUrl(req.url, options);
  const { deadline, signal } = startDeadline(timeoutMs, options.signal);
  const dispatcher = options.dispatcher ?? agentFor(options.ca, timeoutMs);
  let headers = req.headers ?? {};
  for (let followed = 0; ; followed++) {
    let status: number | undefined;
    let responseHeaders: Record<string, string>;
    let body: Uint8Array;
    const facts: ConnectionFacts = {};
    const started = performance.now();
    const hop = url;
    const observe = (extra: Partial<HttpExchange>): void => {
      if (options.onExchange === undefined) return;
      try {
        options.onExchange({
          method: req.method,
          url: hop.href,
          ms: performance.now() - started,
          ...(status === undefined ? {} : { status }),
          ...(facts.tlsVersion === undefined ? {} : { tlsVersion: facts.tlsVersion }),
          ...(facts.peerSubject === undefined ? {} : { peerSubject: facts.peerSubject }),
          ...extra,
        });
      } catch {
        // An observer never breaks the exchange.
      }
    };
    try {
      const start = () =>
        request(url, { method: req.method, headers, body: req.body ?? null, dispatcher, signal });
      const res = await raceAbort(
        options.onExchange === undefined ? start() : withConnectionFacts(facts, start),
        signal,
        (late) => discardBody(late.body),
      );
      status = res.statusCode;
      responseHeaders = flattenHeaders(res.headers);
      body = await readBody(res.body, responseHeaders['content-length'], maxResponseBytes);
    } catch (error) {
      const failure = toTransportError(error, deadline, options.signal, targetOf(url));
      const code = (failure as { code?: unknown }).code;
      const reason = (failure as { reason?: unknown }).reason;
      observe({
        ...(typeof code === 'string' ? { error: code } : { error: 'aborted' }),
        ...(typeof reason === 'string' ? { reason } : {}),
      });
      throw failure;
    }
    observe({ bytes: body.byteLength });
    const next = nextHop({
      method: req.method,
      status,
      location: responseHeaders.location,
      current: url,
      followed,
      maxRedirects,
      dangerouslyAllowHttpLoopback: options.dangerouslyAllowHttpLoopback === true,
    });
    if (next === undefined) return { status, headers: responseHeaders, body, url: url.href };
    headers = hopHeaders(headers, url, next);
    url = next;
  }
}
