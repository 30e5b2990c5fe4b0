/**
 * The labels of every refusal the IdP logs and counts, as closed unions: the STS's reasons
 * (../sts/fault-reasons.ts), the Platform SSO endpoints' (../psso/refusal-reasons.ts), the IdP's
 * own failures, and the few the HTTP layer and the routes decide before any endpoint logic (here).
 * The access line's `reason` field and `psso_idp_faults_total{reason=…}` take only these, so a
 * label cannot be misspelt and metrics label cardinality is bounded.
 *
 * @module
 */
import type { RefusalReason } from '../psso/refusal-reasons.js';
import type { StsFaultReason } from '../sts/fault-reasons.js';
import type { ServerFailureOutcome } from '../wire-errors.js';

/**
 * Refusals decided by the HTTP layer or a route itself, each with what it answers.
 *
 * @example
 * ```ts
 * HTTP_REFUSALS['admin-token']; // '401 invalid_token: …'
 * ```
 */
export const HTTP_REFUSALS = Object.freeze({
  not_found: '404 not_found: no such route.',
  invalid_request: '400 invalid_request: a body that does not parse (invalid JSON), or a 4xx.',
  request_too_large: '413 request_too_large: the body is over maxBodyBytes.',
  unsupported_media_type: '415 unsupported_media_type: a content type the route does not take.',
  server_error: '500 server_error: anything unexpected (the error is logged).',
  unsupported_api_version: '400: a user realm request with an api-version other than 1.0.',
  'admin-token': '401 invalid_token: POST /psso/devices without the admin token.',
  'invalid-device': '400 invalid_request: POST /psso/devices with unusable keys or client id.',
  'metrics-token': '401 invalid_token: /metrics without the configured metricsToken.',
  'metrics-workers-unavailable':
    '503 temporarily_unavailable: the cluster primary did not answer a /metrics request.',
} as const);

/** A refusal decided by the HTTP layer or a route itself. */
export type HttpRefusal = keyof typeof HTTP_REFUSALS;

/** The `reason` of an `http.access` line: every refusal label of the IdP. */
export type AccessLogReason = StsFaultReason | RefusalReason | ServerFailureOutcome | HttpRefusal;

/**
 * The `reason` label of `psso_idp_faults_total`: the STS's reasons as they are, the token
 * endpoint's prefixed `psso-`, the user-key endpoint's prefixed `psso-user-key-`.
 */
export type FaultMetricLabel =
  | StsFaultReason
  | `psso-${RefusalReason | ServerFailureOutcome}`
  | `psso-user-key-${RefusalReason}`;
