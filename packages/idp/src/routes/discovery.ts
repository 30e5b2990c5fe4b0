/**
 * GET user realm (Entra-style) and MEX. Both answer directly: no redirects anywhere.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { refuse } from '../http/access-log.js';
import { STS_PATHS } from '../mex-document.js';
import { type RealmSettings, userRealm } from '../realm.js';

/** Registers `/common/userrealm/{user}` (also as `/common/UserRealm/{user}`), `/common/UserRealm?user=` and the MEX. */
export function discoveryRoutes(
  app: FastifyInstance,
  realm: RealmSettings,
  mex: () => string,
): void {
  const answer = (user: string | undefined, apiVersion: string | undefined) => {
    if (apiVersion !== undefined && apiVersion !== '1.0')
      return { status: 400 as const, body: { error: 'unsupported_api_version' as const } };
    if (user === undefined || user === '' || user.length > 256)
      return { status: 400 as const, body: { error: 'invalid_request' as const } };
    return { status: 200 as const, body: userRealm(user, realm) };
  };
  // Entra's path is case-insensitive: macOS asks /common/userrealm/{user}, ADAL (adal-node, ADAL
  // for Python) /common/UserRealm/{user}.
  for (const path of ['/common/userrealm/:user', '/common/UserRealm/:user']) {
    app.get<{ Params: { user: string }; Querystring: Record<string, string | undefined> }>(
      path,
      async (req, reply) => {
        const a = answer(req.params.user, req.query['api-version']);
        if (a.status !== 200) refuse(req, a.body.error);
        return reply.code(a.status).header('cache-control', 'no-store').send(a.body);
      },
    );
  }
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/common/UserRealm',
    async (req, reply) => {
      const a = answer(req.query.user, req.query['api-version']);
      if (a.status !== 200) refuse(req, a.body.error);
      return reply.code(a.status).header('cache-control', 'no-store').send(a.body);
    },
  );
  let doc: string | undefined; // built on first use: the origin is known once the server listens
  app.get(STS_PATHS.mex, async (_req, reply) => {
    doc ??= mex();
    return reply.header('content-type', 'application/soap+xml; charset=utf-8').send(doc);
  });
}
