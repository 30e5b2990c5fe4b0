/**
 * The bounded HTTP transport: https only, one overall deadline, a response size cap, no redirect
 * unless asked for, extra CAs on top of Node's roots.
 *
 * @example
 * ```ts
 * import { closeHttpAgents, httpRequest } from './http/index.js';
 * const res = await httpRequest({ method: 'GET', url: 'https://sts.example.com/mex' }, { timeoutMs: 10_000 });
 * await closeHttpAgents();
 * ```
 *
 * @module
 */
export { closeHttpAgents } from './agents.js';
export {
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  type HttpOptions,
} from './options.js';
export {
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  httpRequest,
  type RecordedResponse,
  sendHttpRequest,
} from './request.js';
export { checkUrl, isLoopback } from './url.js';
