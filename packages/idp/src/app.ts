/**
 * The reference IdP's HTTP server: fastify over https, body limit, timeouts (TLS handshake,
 * headers, whole request, idle, keep-alive), the connection cap, raw SOAP bodies, no redirects,
 * the access log, `/healthz` and `/metrics`. A route that throws answers 503
 * `temporarily_unavailable` (with `Retry-After`) when a store cannot answer, 500 `server_error`
 * for anything else unexpected, the 4xx fastify chose for a bad request — never a 401.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { IdpRequestError } from 'psso-wstrust';
import { DEFAULT_CONFIG } from './config.js';
import { accessLog, refuse } from './http/access-log.js';
import { ConnectionGuard } from './http/connection-guard.js';
import { defaultMaxConnections, openFileLimit } from './http/fd-limit.js';
import { metricsRoute } from './http/metrics-route.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { metricsSource } from './metrics-cluster.js';
import { peerText } from './peer-text.js';
import { parseQuery } from './querystring.js';
import { isUnavailable, serverFailure } from './wire-errors.js';

/** Server settings. */
export interface AppSettings {
  readonly tls: { readonly key: string; readonly cert: string };
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  /** TLS handshake deadline from accept (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /** Headers deadline (default 10 s; never more than `requestTimeoutMs`). */
  readonly headersTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this (default 5 s). */
  readonly keepAliveTimeoutMs?: number;
  /** Connection cap (default: from the open-file limit, see `defaultMaxConnections`). */
  readonly maxConnections?: number;
  /** When set, `/metrics` requires `Authorization: Bearer <metricsToken>`. */
  readonly metricsToken?: string;
  /** Health of dependencies (the database, Redis): false answers 503. */
  readonly healthy: () => Promise<boolean>;
}

/** Builds the fastify instance with the cross-cutting pieces; routes are added by the caller. */
export function createApp(s: AppSettings, metrics: Metrics, log: Logger): FastifyInstance {
  const handshakeTimeoutMs = s.handshakeTimeoutMs ?? DEFAULT_CONFIG.handshakeTimeoutMs;
  const headersTimeoutMs = Math.min(
    s.requestTimeoutMs,
    s.headersTimeoutMs ?? DEFAULT_CONFIG.headersTimeoutMs,
  );
  const keepAliveTimeoutMs = s.keepAliveTimeoutMs ?? DEFAULT_CONFIG.keepAliveTimeoutMs;
  const openFiles = openFileLimit();
  const maxConnections = s.maxConnections ?? defaultMaxConnections(openFiles);
  // A TLS connection gets the headers timeout to start its first request.
  const guard = new ConnectionGuard(maxConnections, headersTimeoutMs, metrics, log);
  log.log('info', 'http.limits', {
    maxConnections,
    ...(openFiles === undefined ? {} : { openFileLimit: openFiles }),
    handshakeTimeoutMs,
    headersTimeoutMs,
    requestTimeoutMs: s.requestTimeoutMs,
    keepAliveTimeoutMs,
  });
  const app = Fastify({
    // node:https directly: fastify does not apply its own timeout options to a server from a
    // serverFactory, and passes neither handshakeTimeout nor the interval at which Node enforces
    // requestTimeout/headersTimeout (default 30 s).
    serverFactory: (handler) => {
      const server = createServer(
        {
          key: s.tls.key,
          cert: s.tls.cert,
          // From the TCP accept: also cuts a socket that never sends a ClientHello.
          handshakeTimeout: handshakeTimeoutMs,
          requestTimeout: s.requestTimeoutMs,
          headersTimeout: headersTimeoutMs,
          connectionsCheckingInterval: Math.min(1_000, s.requestTimeoutMs),
        },
        handler,
      );
      server.keepAliveTimeout = keepAliveTimeoutMs;
      guard.attach(server);
      return server;
    },
    bodyLimit: s.maxBodyBytes,
    requestTimeout: s.requestTimeoutMs,
    forceCloseConnections: true,
    return503OnClosing: true,
    logger: false,
    genReqId: () => randomUUID(),
    routerOptions: { querystringParser: (q: string) => parseQuery(q) },
  });
  const source = metricsSource(metrics);
  app.addHook('preClose', async () => {
    guard.close();
    source.close();
  });
  accessLog(app, log, metrics.worker);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/soap+xml', 'text/xml'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(new IdpRequestError('the JSON body does not parse'), undefined);
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => done(null, parseQuery(String(body))),
  );
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler(
    (error: { statusCode?: number; code?: string; message?: string }, request, reply) => {
      const f = isUnavailable(error) ? serverFailure(error) : undefined;
      if (f?.kind === 'unavailable') {
        // A store that cannot answer (SQLite, Redis): the client should retry, not re-authenticate.
        refuse(request, 'store-unavailable');
        log.log('error', 'http.store_unavailable', {
          requestId: request.id,
          url: peerText(request.url),
          code: f.code,
        });
        return reply
          .code(f.status)
          .header('retry-after', String(f.retryAfterSeconds))
          .header('cache-control', 'no-store')
          .send({ error: f.error });
      }
      const status =
        error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
      const code =
        status === 413
          ? 'request_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : status === 500
              ? 'server_error'
              : 'invalid_request';
      refuse(request, code);
      if (status === 500)
        log.log('error', 'http.error', {
          requestId: request.id,
          url: peerText(request.url),
          error: peerText(error.message, 1024),
        });
      return reply.code(status).send({ error: code });
    },
  );
  app.setNotFoundHandler((request, reply) => {
    refuse(request, 'not_found');
    return reply.code(404).send({ error: 'not_found' });
  });
  app.get('/healthz', async (_req, reply) => {
    const ok = await s.healthy().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable' });
  });
  metricsRoute(app, source, s.metricsToken);
  return app;
}
