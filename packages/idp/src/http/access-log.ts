/**
 * One `http.access` line per request at `info`: request id (also sent as `x-request-id`), worker,
 * method, route pattern (never the raw URL), status, duration, client address, user agent
 * (capped and escaped) and, when a route refused the request, the refusal reason the route
 * attached with {@link refuse}. Nothing secret is ever in it: no body, no header but the user
 * agent, no query string.
 *
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';
import { PEER_TEXT_MAX, peerText } from '../peer-text.js';
import type { AccessLogReason } from './refusals.js';

const reasons = new WeakMap<FastifyRequest, AccessLogReason>();

/**
 * Records why a route refused `request` (a stable label such as `bad-credentials`), for the
 * access line.
 *
 * @example
 * ```ts
 * refuse(request, answer.outcome);
 * ```
 */
export function refuse(request: FastifyRequest, reason: AccessLogReason): void {
  reasons.set(request, reason);
}

/** Registers the `x-request-id` header and the access line on `app`. */
export function accessLog(app: FastifyInstance, log: Logger, worker: number): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const reason = reasons.get(request);
    const ua = request.headers['user-agent'];
    log.log('info', 'http.access', {
      requestId: request.id,
      worker,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      ...(reason === undefined ? {} : { reason }),
      client: peerText(request.ip, 64),
      ...(ua === undefined ? {} : { userAgent: peerText(ua) }),
    });
  });
}

/**
 * A route's refusal: the reason goes on the access line; the internal detail, capped and
 * escaped (it may quote what the peer sent), to a `<event>` line at `debug` (at `error` for
 * internal and store failures, the operator's business).
 *
 * @example
 * ```ts
 * refused(log, request, 'sts.refused', answer.outcome, answer.detail);
 * ```
 */
export function refused(
  log: Logger,
  request: FastifyRequest,
  event: string,
  reason: AccessLogReason,
  detail: string | undefined,
): void {
  refuse(request, reason);
  const serious = reason === 'internal-error' || reason === 'store-unavailable';
  if (detail === undefined && !serious) return;
  log.log(serious ? 'error' : 'debug', event, {
    requestId: request.id,
    reason,
    ...(detail === undefined ? {} : { detail: peerText(detail, serious ? 2048 : PEER_TEXT_MAX) }),
  });
}

/** What `token.issued` says: never a password, token, assertion or nonce. */
export interface IssuedToken {
  /** The user's UPN. */
  readonly user: string;
  /** WS-Trust: the relying party (AppliesTo). */
  readonly relyingParty?: string;
  /** Platform SSO: the device's client id. */
  readonly clientId?: string;
  /** `wstrust-1.3`, `wstrust-2005`, `password`, `saml1.1-bearer`, `saml2-bearer`, `refresh_token`. */
  readonly method: string;
}

/** One `token.issued` line at `info`. */
export function issued(log: Logger, request: FastifyRequest, t: IssuedToken): void {
  log.log('info', 'token.issued', {
    requestId: request.id,
    user: peerText(t.user),
    ...(t.relyingParty === undefined ? {} : { relyingParty: peerText(t.relyingParty) }),
    ...(t.clientId === undefined ? {} : { clientId: peerText(t.clientId) }),
    method: t.method,
  });
}
