export { closeHttpAgents } from './agents.js';
export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type HttpOptions } from './options.js';
export { type HttpRequest, type HttpResponse, httpRequest } from './request.js';
export { checkUrl, isLoopback } from './url.js';
