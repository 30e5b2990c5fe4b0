/**
 * Platform SSO endpoints of the reference IdP: `POST /psso/nonce` (`{"Nonce": …}` for a form with
 * `grant_type=srv_challenge`), `POST /psso/token`, `GET /psso/jwks`, and `POST /psso/devices`
 * (device registration, with the admin token).
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { issued, refuse, refused } from '../http/access-log.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { peerText } from '../peer-text.js';
import type { AdminToken } from '../psso/admin-token.js';
import type { IdTokenKey } from '../psso/keys.js';
import type { ServerNonceStore } from '../psso/nonce-store.js';
import { handleTokenRequest, type TokenEndpointDeps } from '../psso/token.js';
import type { DeviceStore } from '../store/devices.js';

/** Registers the Platform SSO routes. */
export function pssoRoutes(
  app: FastifyInstance,
  nonces: ServerNonceStore,
  token: TokenEndpointDeps,
  idTokenKey: IdTokenKey,
  metrics: Metrics,
  log: Logger,
  admin: AdminToken,
  devices: DeviceStore,
): void {
  app.post<{ Body: Record<string, string> }>('/psso/nonce', async (request, reply) => {
    const form = request.body;
    if (typeof form !== 'object' || form === null || form.grant_type !== 'srv_challenge') {
      refuse(request, 'form-grant-type');
      return reply.code(400).header('cache-control', 'no-store').send({ error: 'invalid_request' });
    }
    return reply.header('cache-control', 'no-store').send({ Nonce: nonces.issue() });
  });
  app.post<{ Body: Record<string, string> }>('/psso/token', async (request, reply) => {
    const form = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const answer = await handleTokenRequest(form, token);
    if (answer.outcome === 'issued') {
      metrics.token('psso');
      if (answer.issued !== undefined) issued(log, request, answer.issued);
    } else {
      metrics.fault(`psso-${answer.outcome}`);
      refused(log, request, 'psso.token.refused', answer.outcome, answer.detail);
    }
    return reply
      .code(answer.status)
      .header('content-type', answer.contentType)
      .header('cache-control', 'no-store')
      .send(answer.body);
  });
  app.post<{ Body: Record<string, unknown> }>('/psso/devices', async (request, reply) => {
    if (!admin.check(request.headers.authorization)) {
      refuse(request, 'admin-token');
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'invalid_token' });
    }
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    try {
      const d = devices.add(String(body.clientId ?? ''), body.signingJwk, body.encryptionJwk);
      log.log('info', 'psso.device.registered', {
        requestId: request.id,
        clientId: peerText(d.clientId),
        signingKid: d.signingKid,
      });
      return reply
        .code(201)
        .send({ clientId: d.clientId, signingKid: d.signingKid, encryptionKid: d.encryptionKid });
    } catch (e) {
      if (e instanceof TypeError) {
        refuse(request, 'invalid-device');
        return reply.code(400).send({ error: 'invalid_request', error_description: e.message });
      }
      throw e;
    }
  });
  app.get('/psso/jwks', async (_request, reply) =>
    reply.header('cache-control', 'max-age=300').send({ keys: [idTokenKey.publicJwk] }),
  );
}
