/**
 * The reference IdP's HTTP server: fastify over https, body limit and timeouts, raw SOAP bodies,
 * no redirects, `/healthz` and `/metrics`. A route that throws answers 503
 * `temporarily_unavailable` (with `Retry-After`) when a store cannot answer, 500 `server_error`
 * for anything else unexpected, the 4xx fastify chose for a bad request — never a 401.
 *
 * @module
 */
import { createServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { parseQuery } from './querystring.js';
import { isUnavailable, serverFailure } from './wire-errors.js';

/** Server settings. */
export interface AppSettings {
  readonly tls: { readonly key: string; readonly cert: string };
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  /** Health of dependencies (the database, Redis): false answers 503. */
  readonly healthy: () => Promise<boolean>;
}

/** Builds the fastify instance with the cross-cutting pieces; routes are added by the caller. */
export function createApp(s: AppSettings, metrics: Metrics, log: Logger): FastifyInstance {
  const app = Fastify({
    // node:https directly, for the options fastify does not pass on: the interval at which Node
    // enforces requestTimeout/headersTimeout (default 30 s) bounds how long a slow client lingers.
    serverFactory: (handler) =>
      createServer(
        {
          key: s.tls.key,
          cert: s.tls.cert,
          requestTimeout: s.requestTimeoutMs,
          headersTimeout: Math.min(s.requestTimeoutMs, 10_000),
          connectionsCheckingInterval: Math.min(1_000, s.requestTimeoutMs),
        },
        handler,
      ),
    bodyLimit: s.maxBodyBytes,
    requestTimeout: s.requestTimeoutMs,
    connectionTimeout: s.requestTimeoutMs,
    keepAliveTimeout: 5_000,
    forceCloseConnections: true,
    return503OnClosing: true,
    logger: false,
    routerOptions: { querystringParser: (q: string) => parseQuery(q) },
  });
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
      done(Object.assign(new Error('invalid JSON'), { statusCode: 400 }), undefined);
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
      if (isUnavailable(error)) {
        // A store that cannot answer (SQLite, Redis): the client should retry, not re-authenticate.
        const f = serverFailure(error);
        log.log('error', 'http.store_unavailable', { url: request.url, code: error.code });
        if (f.kind === 'unavailable') reply.header('retry-after', String(f.retryAfterSeconds));
        return reply.code(503).header('cache-control', 'no-store').send({ error: f.error });
      }
      const status =
        error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
      if (status === 500)
        log.log('error', 'http.error', { url: request.url, error: error.message });
      return reply.code(status).send({
        error:
          status === 413
            ? 'request_too_large'
            : status === 415
              ? 'unsupported_media_type'
              : status === 500
                ? 'server_error'
                : 'invalid_request',
      });
    },
  );
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not_found' }));
  app.get('/healthz', async (_req, reply) => {
    const ok = await s.healthy().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable' });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', 'text/plain; version=0.0.4').send(metrics.render()),
  );
  return app;
}
