/**
 * One bounded HTTP exchange: https only, one overall deadline covering connect, headers and the
 * whole body (a server dribbling bytes cannot keep it alive), a response size cap enforced while
 * reading, and no redirect unless asked for — each hop re-checked. Every limit breach has its own
 * error code.
 *
 * @module
 */
import { request } from 'undici';
import { HttpError } from '../errors.js';
import { agentFor } from './agents.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type HttpOptions } from './options.js';
import { checkUrl } from './url.js';

export { closeHttpAgents } from './agents.js';

/** A request to make. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string | URL;
  /** Header names in lower case. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** A complete response. */
export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The URL that answered (after any redirect followed). */
  readonly url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Makes the request and reads the whole response within the limits.
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_*`; a caller abort rethrows the signal's reason.
 *
 * @example
 * ```ts
 * const res = await httpRequest({ method: 'GET', url: 'https://sts.example.com/adfs/services/trust/mex' }, { timeoutMs: 10_000 });
 * res.status; res.body;
 * ```
 */
export async function httpRequest(
  req: HttpRequest,
  options: HttpOptions = {},
): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxRedirects = options.maxRedirects ?? 0;
  if (!(timeoutMs > 0) || !(maxBytes > 0) || !(maxRedirects >= 0)) {
    throw new TypeError('timeoutMs and maxResponseBytes must be > 0, maxRedirects >= 0');
  }
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal =
    options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  const dispatcher = options.dispatcher ?? agentFor(options.ca, timeoutMs);
  let url = checkUrl(req.url, options);
  for (let hop = 0; ; hop++) {
    let status: number;
    let headers: Record<string, string>;
    let body: Uint8Array;
    try {
      const res = await request(url, {
        method: req.method,
        headers: req.headers ?? {},
        body: req.body ?? null,
        dispatcher,
        signal,
      });
      status = res.statusCode;
      headers = flatten(res.headers);
      body = await readBody(res.body, headers['content-length'], maxBytes);
    } catch (error) {
      throw mapError(error, deadline, options.signal);
    }
    if (!REDIRECTS.has(status)) return { status, headers, body, url: url.href };
    if (maxRedirects === 0 || (req.method === 'POST' && status !== 307 && status !== 308)) {
      throw new HttpError(
        'PSSO_ERR_HTTP_REDIRECT',
        'The server answered with a redirect, which is not followed',
        { status },
      );
    }
    if (hop >= maxRedirects)
      throw new HttpError('PSSO_ERR_HTTP_TOO_MANY_REDIRECTS', 'Too many redirects', { status });
    const location = headers.location;
    if (location === undefined)
      throw new HttpError('PSSO_ERR_HTTP_REDIRECT', 'A redirect without a Location', { status });
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new HttpError('PSSO_ERR_HTTP_INVALID_URL', 'The redirect Location is not a valid URL');
    }
    url = checkUrl(next, options);
  }
}

interface Readable extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
  dump?(): Promise<void>;
}

async function readBody(
  body: Readable,
  contentLength: string | undefined,
  maxBytes: number,
): Promise<Uint8Array> {
  if (contentLength !== undefined && Number(contentLength) > maxBytes) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, size);
}

function tooLarge(): HttpError {
  return new HttpError(
    'PSSO_ERR_HTTP_RESPONSE_TOO_LARGE',
    'The response body exceeds the size limit',
  );
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function mapError(
  error: unknown,
  deadline: AbortSignal,
  callerSignal: AbortSignal | undefined,
): unknown {
  if (error instanceof HttpError) return error;
  if (callerSignal?.aborted === true) return callerSignal.reason;
  const code = (error as { code?: unknown } | null)?.code;
  if (deadline.aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return new HttpError(
      'PSSO_ERR_HTTP_TIMEOUT',
      'The request did not complete within the deadline',
      { cause: error },
    );
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return tooLarge();
  return new HttpError('PSSO_ERR_HTTP_NETWORK', 'The request failed at the network level', {
    cause: error,
  });
}
