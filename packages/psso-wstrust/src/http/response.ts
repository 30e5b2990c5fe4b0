/**
 * Reading a response within the size limit: refused early from Content-Length, and by counting
 * bytes while reading (a missing or lying Content-Length does not help a peer). On a breach the
 * body is destroyed, which closes the connection.
 *
 * @module
 */
import { HttpError } from '../errors.js';

/** The part of undici's response body this module uses. */
export interface BodyStream extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Destroys a body that will not be read (closing its connection). undici then emits an 'error'
 * (RequestAbortedError) on it: a listener swallows it, else it would be an uncaught exception.
 *
 * @example
 * ```ts
 * if (tooBig) discardBody(res.body);
 * ```
 */
export function discardBody(body: BodyStream): void {
  body.on('error', () => {});
  body.destroy();
}

/**
 * Reads the whole body, at most `maxBytes` bytes.
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_RESPONSE_TOO_LARGE`; the body is destroyed first.
 *
 * @example
 * ```ts
 * const res = await request(url, { dispatcher });
 * const body = await readBody(res.body, flattenHeaders(res.headers)['content-length'], 1 << 20);
 * ```
 */
export async function readBody(
  body: BodyStream,
  contentLength: string | undefined,
  maxBytes: number,
): Promise<Uint8Array> {
  if (contentLength !== undefined && Number(contentLength) > maxBytes) {
    discardBody(body);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      discardBody(body);
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  // A fresh Uint8Array of its own (not a view into Node's shared buffer pool).
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * The error for a body past the limit (constant text).
 *
 * @example
 * ```ts
 * if (size > maxBytes) throw tooLarge();
 * ```
 */
export function tooLarge(): HttpError {
  return new HttpError(
    'PSSO_ERR_HTTP_RESPONSE_TOO_LARGE',
    'The response body exceeds the size limit',
  );
}

/**
 * Response headers with lower-case names, repeated headers joined with `, `.
 *
 * @example
 * ```ts
 * flattenHeaders({ 'Set-Cookie': ['a=1', 'b=2'], 'content-type': 'text/xml' });
 * // { 'set-cookie': 'a=1, b=2', 'content-type': 'text/xml' }
 * ```
 */
export function flattenHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const merged = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const joined = Array.isArray(value) ? value.join(', ') : value;
    const previous = merged.get(key);
    merged.set(key, previous === undefined ? joined : `${previous}, ${joined}`);
  }
  // fromEntries defines own properties: a header named __proto__ cannot touch the prototype.
  return Object.fromEntries(merged);
}
