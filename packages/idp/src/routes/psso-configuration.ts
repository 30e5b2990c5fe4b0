/**
 * `GET /.well-known/psso-configuration`: the reference IdP's discovery document, a login
 * configuration for itself (the `ASAuthorizationProviderExtensionLoginConfiguration` fields of
 * docs/PLATFORM-SSO.md §2) that `psso init --idp URL` turns into a configuration file. It names the
 * Platform SSO endpoints, the predicate Entra uses to tell a credential error from a device one
 * (§3.7), and dynamic WS-Trust federation through the user realm (§1.2, §1.7): a federated domain
 * goes through WS-Trust, any other user logs in with a password.
 *
 * The document is public (nothing in it is secret) and is built from the endpoints alone; it
 * creates no state.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { JsonValue } from 'psso-wstrust/psso';
import { idpEndpoints } from '../endpoints.js';

/** Options of {@link pssoConfiguration}. */
export interface PssoConfigurationOptions {
  /** The OAuth `client_id` devices are registered with; default `psso`. */
  readonly clientID?: string | undefined;
  /** The relying party the STS issues assertions for; default `urn:federation:MicrosoftOnline`. */
  readonly federationRequestURN?: string | undefined;
}

/** Entra's predicate: a credential error is `invalid_grant`, unless the device was refused. */
export const INVALID_CREDENTIAL_PREDICATE =
  "error = 'invalid_grant' AND suberror != 'device_authentication_failed'";

/**
 * The discovery document of the IdP at `origin`: a complete login configuration (JSON form, as
 * `parseLoginConfiguration` reads it). One field per line: add a field here and every client of
 * the document (the route, `psso init --idp`, `demo --save-config`) has it.
 *
 * @example
 * ```ts
 * const doc = pssoConfiguration('https://idp.example.com');
 * doc.tokenEndpointURL; // 'https://idp.example.com/psso/token'
 * ```
 */
export function pssoConfiguration(
  origin: string,
  options: PssoConfigurationOptions = {},
): Record<string, JsonValue> {
  const e = idpEndpoints(origin);
  return {
    clientID: options.clientID ?? 'psso',
    issuer: origin,
    tokenEndpointURL: e.pssoToken,
    jwksEndpointURL: e.pssoJwks,
    nonceEndpointURL: e.pssoNonce,
    refreshEndpointURL: e.pssoToken,
    keyEndpointURL: e.pssoToken,
    invalidCredentialPredicate: INVALID_CREDENTIAL_PREDICATE,
    federationType: 'dynamicWSTrust',
    federationRequestURN: options.federationRequestURN ?? 'urn:federation:MicrosoftOnline',
    federationUserPreauthenticationURL: e.userRealmPreauth,
    federationMEXURLKeypath: 'federation_metadata_url',
    federationPredicate: "account_type = 'Federated'",
  };
}

/**
 * Registers `GET /.well-known/psso-configuration`. `document` is called per request: the origin
 * is known only once the server listens.
 *
 * @example
 * ```ts
 * pssoConfigurationRoute(app, () => pssoConfiguration(origin, { federationRequestURN: urn }));
 * ```
 */
export function pssoConfigurationRoute(
  app: FastifyInstance,
  document: () => Record<string, JsonValue>,
): void {
  app.get('/.well-known/psso-configuration', async (_req, reply) =>
    reply.header('cache-control', 'no-store').send(document()),
  );
}
