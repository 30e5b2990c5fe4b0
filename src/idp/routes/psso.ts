/**
 * Platform SSO endpoints of the reference IdP. `POST /psso/nonce` answers `{"Nonce": …}` to a
 * form carrying `grant_type=srv_challenge`.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ServerNonceStore } from '../psso/nonce-store.js';

/** Registers the Platform SSO routes. */
export function pssoRoutes(app: FastifyInstance, nonces: ServerNonceStore): void {
  app.post<{ Body: Record<string, string> }>('/psso/nonce', async (request, reply) => {
    const form = request.body;
    if (typeof form !== 'object' || form === null || form.grant_type !== 'srv_challenge') {
      return reply.code(400).header('cache-control', 'no-store').send({ error: 'invalid_request' });
    }
    return reply.header('cache-control', 'no-store').send({ Nonce: nonces.issue() });
  });
}
