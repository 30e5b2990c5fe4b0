/**
 * `POST /psso/user-keys`: a registered device registers a Secure Enclave key for the user signed
 * in on it (docs/PLATFORM-SSO.md §3.9; the checks are in `psso/user-key-registration.ts`). A store that
 * cannot answer is a 5xx through the server's error handler, never a refusal.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { refused } from '../http/access-log.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { peerText } from '../peer-text.js';
import {
  handleUserKeyRegistration,
  type UserKeyRegistrationDeps,
} from '../psso/user-key-registration.js';

/**
 * Registers `POST /psso/user-keys`.
 *
 * @example
 * ```ts
 * userKeyRoutes(app, { device, nonces, refreshTokens, user, addUserKey, endpoint, clock, skewSeconds }, metrics, log);
 * ```
 */
export function userKeyRoutes(
  app: FastifyInstance,
  deps: UserKeyRegistrationDeps,
  metrics: Metrics,
  log: Logger,
): void {
  app.post('/psso/user-keys', async (request, reply) => {
    const answer = await handleUserKeyRegistration(request.body, deps);
    if (answer.status === 201) {
      log.log('info', 'psso.user_key.registered', {
        requestId: request.id,
        user: peerText(answer.body.upn),
        kid: answer.body.kid,
      });
    } else {
      metrics.fault(`psso-user-key-${answer.outcome}`);
      refused(log, request, 'psso.user_key.refused', answer.outcome, answer.detail);
    }
    return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
  });
}
