/**
 * Platform SSO endpoints of the reference IdP: `POST /psso/nonce` (`{"Nonce": …}` for a form with
 * `grant_type=srv_challenge`), `POST /psso/token` and `GET /psso/jwks`.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { IdTokenKey } from '../psso/keys.js';
import type { ServerNonceStore } from '../psso/nonce-store.js';
import { handleTokenRequest, type TokenEndpointDeps } from '../psso/token.js';

/** Registers the Platform SSO routes. */
export function pssoRoutes(
  app: FastifyInstance,
  nonces: ServerNonceStore,
  token: TokenEndpointDeps,
  idTokenKey: IdTokenKey,
  metrics: Metrics,
  log: Logger,
): void {
  app.post<{ Body: Record<string, string> }>('/psso/nonce', async (request, reply) => {
    const form = request.body;
    if (typeof form !== 'object' || form === null || form.grant_type !== 'srv_challenge') {
      return reply.code(400).header('cache-control', 'no-store').send({ error: 'invalid_request' });
    }
    return reply.header('cache-control', 'no-store').send({ Nonce: nonces.issue() });
  });
  app.post<{ Body: Record<string, string> }>('/psso/token', async (request, reply) => {
    const form = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const answer = await handleTokenRequest(form, token);
    if (answer.outcome === 'issued') metrics.token('psso');
    else {
      metrics.fault(`psso-${answer.outcome}`);
      log.log('info', 'psso.token.refused', {
        reason: answer.outcome,
        ...(answer.detail === undefined ? {} : { detail: answer.detail }),
      });
    }
    return reply
      .code(answer.status)
      .header('content-type', answer.contentType)
      .header('cache-control', 'no-store')
      .send(answer.body);
  });
  app.get('/psso/jwks', async (_request, reply) =>
    reply.header('cache-control', 'max-age=300').send({ keys: [idTokenKey.publicJwk] }),
  );
}
