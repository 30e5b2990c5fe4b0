/**
 * Logins against a test IdP that several end-to-end tests make the same way: a WS-Trust login as
 * the demo user, the federated Platform SSO login configuration, and requests to `/psso/token`.
 */

import type { KeyObject } from 'node:crypto';
import type { RunningIdp } from '../../packages/idp/src/server.ts';
import type { HttpOptions } from '../../packages/psso-wstrust/src/http/options.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { buildLoginJwt, loginRequestBody } from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import type { SamlVersion } from '../../packages/psso-wstrust/src/protocol/grant-types.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import {
  type WsTrustLoginOptions,
  wsTrustLogin,
} from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { endpointOf, serverNonceFrom, type TestIdp, URN } from './support.ts';

/**
 * A WS-Trust 1.3 login at `idp`'s STS, by default as its demo user to {@link URN}, trusting its CA.
 */
export function stsLogin(
  idp: TestIdp,
  o: Partial<
    Pick<WsTrustLoginOptions, 'federationRequestURN' | 'username' | 'password' | 'profile' | 'http'>
  > = {},
) {
  return wsTrustLogin({
    endpoint: endpointOf(idp, '1.3'),
    federationRequestURN: URN,
    username: idp.demoUser.upn,
    password: idp.password,
    http: { ca: idp.caPem },
    ...o,
  });
}

/** The login configuration of a federated (WS-Trust) Platform SSO login at the IdP at `origin`. */
export function federatedConfig(idp: { readonly origin: string; readonly mexUrl: string }) {
  const { origin } = idp;
  return resolveLoginConfiguration(
    parseLoginConfiguration({
      clientID: 'psso',
      issuer: origin,
      tokenEndpointURL: `${origin}/psso/token`,
      jwksEndpointURL: `${origin}/psso/jwks`,
      nonceEndpointURL: `${origin}/psso/nonce`,
      federationType: 'wsTrust',
      federationMEXURL: idp.mexUrl,
      federationRequestURN: URN,
    }),
  );
}

/** A device's signing and encryption keys, as `generateDeviceKeys` gives them. */
export interface DeviceKeys {
  readonly signing: { readonly privateKey: KeyObject };
  readonly encryption: { readonly publicKey: KeyObject };
}

/**
 * A SAML bearer login JWT of the demo user for `idp`'s token endpoint, signed by the device
 * `keys`, with a fresh server nonce unless one is given.
 */
export async function samlBearerJwt(
  idp: TestIdp,
  keys: DeviceKeys,
  xml: string,
  version: SamlVersion = '1.1',
  serverNonce?: string,
): Promise<string> {
  return buildLoginJwt({
    signingKey: keys.signing.privateKey,
    encryptionPublicKey: keys.encryption.publicKey,
    clientId: 'psso',
    username: idp.demoUser.upn,
    tokenEndpoint: `${idp.origin}/psso/token`,
    nonce: 'CONTEXT',
    serverNonce: serverNonce ?? (await serverNonceFrom(idp)),
    scope: 'openid',
    samlAssertion: { xml, version },
  });
}

/** POSTs a login JWT to `idp`'s `/psso/token` (trusting its CA unless `http` says otherwise). */
export async function tokenRequest(
  idp: RunningIdp,
  jwt: string,
  http: HttpOptions = { ca: idp.caPem },
) {
  const r = await httpRequest(
    {
      method: 'POST',
      url: `${idp.origin}/psso/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: loginRequestBody(jwt),
    },
    http,
  );
  return { status: r.status, headers: r.headers, text: Buffer.from(r.body).toString('utf8') };
}
