/**
 * Platform SSO endpoints of the reference IdP: `POST /psso/nonce` (`{"Nonce": …}` for a form with
 * `grant_type=srv_challenge`; a sealed nonce, nothing stored), `POST /psso/token`, `GET /psso/jwks`,
 * and `POST /psso/devices` (device registration, with the admin token). A store that cannot answer
 * is 503 `temporarily_unavailable` on every one of them (the token endpoint says so itself; the
 * others through the server's error handler).
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { GRANT_TYPE, IdpError } from 'psso-wstrust';
import { requestSource } from '../auth/source.js';
import { issued, refuse, refused } from '../http/access-log.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { peerText } from '../peer-text.js';
import type { AdminToken } from '../psso/admin-token.js';
import type { IdTokenKey } from '../psso/keys.js';
import { loginRequestEncryptionPublicKey } from '../psso/login-encryption-key.js';
import type { ServerNonces } from '../psso/server-nonce.js';
import { handleTokenRequest, type TokenEndpointDeps } from '../psso/token.js';
import type { DeviceStore } from '../state/types.js';

/**
 * The answer of `POST /psso/nonce` to a parsed form: a sealed nonce for `grant_type=srv_challenge`
 * (nothing is stored), else 400.
 *
 * @example
 * ```ts
 * serverNonceAnswer({ grant_type: 'srv_challenge' }, nonces); // { status: 200, body: { Nonce } }
 * ```
 */
export function serverNonceAnswer(
  form: unknown,
  nonces: ServerNonces,
): { status: 200; body: { Nonce: string } } | { status: 400; body: { error: 'invalid_request' } } {
  if (
    typeof form !== 'object' ||
    form === null ||
    (form as Record<string, unknown>).grant_type !== GRANT_TYPE.serverChallenge
  )
    return { status: 400, body: { error: 'invalid_request' } };
  return { status: 200, body: { Nonce: nonces.issue() } };
}

/** Registers the Platform SSO routes. */
export function pssoRoutes(
  app: FastifyInstance,
  token: TokenEndpointDeps,
  idTokenKey: IdTokenKey,
  metrics: Metrics,
  log: Logger,
  admin: AdminToken,
  devices: DeviceStore,
): void {
  app.post('/psso/nonce', async (request, reply) => {
    const answer = serverNonceAnswer(request.body, token.nonces);
    if (answer.status !== 200) refuse(request, 'form-grant-type');
    return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
  });
  app.post<{ Body: Record<string, string> }>('/psso/token', async (request, reply) => {
    const form = typeof request.body === 'object' && request.body !== null ? request.body : {};
    // The source is the TCP peer, never X-Forwarded-For (which the client writes).
    const answer = await handleTokenRequest(
      form,
      token,
      requestSource(request.socket.remoteAddress),
    );
    if (answer.outcome === 'issued') {
      metrics.token('psso');
      if (answer.issued !== undefined) issued(log, request, answer.issued);
    } else {
      metrics.fault(`psso-${answer.outcome}`);
      refused(log, request, 'psso.token.refused', answer.outcome, answer.detail);
      // A stolen refresh token was used: its family is revoked; an operator wants to know.
      if (answer.outcome === 'refresh-token-reuse')
        log.log('warn', 'psso.refresh_token.reuse', { requestId: request.id });
    }
    if (answer.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(answer.retryAfterSeconds));
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
      const d = await devices.add(
        String(body.clientId ?? ''),
        body.signingJwk,
        body.encryptionJwk,
        body.encryptionAlg,
      );
      log.log('info', 'psso.device.registered', {
        requestId: request.id,
        clientId: peerText(d.clientId),
        signingKid: d.signingKid,
      });
      return reply.code(201).send({
        clientId: d.clientId,
        signingKid: d.signingKid,
        encryptionKid: d.encryptionKid,
        encryptionAlg: d.encryptionAlg,
      });
    } catch (e) {
      if (e instanceof IdpError && e.code === 'PSSO_ERR_IDP_REGISTRATION_INVALID') {
        refuse(request, 'invalid-device');
        return reply.code(400).send({ error: 'invalid_request', error_description: e.message });
      }
      throw e;
    }
  });
  app.get('/psso/jwks', async (_request, reply) =>
    reply.header('cache-control', 'max-age=300').send({
      // The signing key, then (§3.10) the login request encryption key (`use` `enc`).
      keys: [idTokenKey.publicJwk, ...loginEncryptionJwks(token)],
    }),
  );
}

function loginEncryptionJwks(token: TokenEndpointDeps): object[] {
  const jwk = loginRequestEncryptionPublicKey(token);
  return jwk === undefined ? [] : [jwk];
}
