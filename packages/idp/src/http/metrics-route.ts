/**
 * `GET /metrics`: Prometheus text of this process, or of every worker under `--workers`. With
 * `metricsToken` in the configuration it requires `Authorization: Bearer <metricsToken>`
 * (compared in constant time), else 401.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { MetricsSource } from '../metrics-cluster.js';
import { refuse } from './access-log.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether an `Authorization` header carries `token` as a Bearer token (constant time in the
 * header's content: both sides are hashed first).
 *
 * @example
 * ```ts
 * bearerMatches('Bearer s3cret-metrics-token', 's3cret-metrics-token'); // true
 * ```
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(authorization.slice('Bearer '.length)), digest(token));
}

/** Registers `/metrics`. */
export function metricsRoute(
  app: FastifyInstance,
  source: MetricsSource,
  token: string | undefined,
): void {
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
      refuse(request, 'metrics-token');
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'invalid_token' });
    }
    let text: string;
    try {
      text = await source.text();
    } catch {
      refuse(request, 'metrics-workers-unavailable');
      return reply.code(503).send({ error: 'temporarily_unavailable' });
    }
    return reply
      .header('content-type', 'text/plain; version=0.0.4')
      .header('cache-control', 'no-store')
      .send(text);
  });
}
