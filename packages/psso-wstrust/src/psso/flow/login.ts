/**
 * The whole Platform SSO password login as macOS runs it (docs/PLATFORM-SSO.md §1), built from the
 * request/response pairs: server nonce → (dynamic WS-Trust) preauthentication → (federated) MEX
 * and WS-Trust (`wsTrustLogin`) → the signed login JWT → the token response. And the refresh
 * (§3.8). Each step is timed for the caller's progress.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { HttpOptions } from '../../http/options.js';
import { buildLoginJwt, buildRefreshJwt } from '../../jose/login-jwt.js';
import { loginApv } from '../../jose/party-info.js';
import type { SamlVersion } from '../../protocol/grant-types.js';
import { wsTrustLogin } from '../../wstrust/login.js';
import { hpkeResponseKey } from '../config/hpke.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import type { DeviceKeys } from '../keys/device-keys.js';
import { hpkeJweCrypto } from '../keys/hpke-key.js';
import type { SmartCardCredential } from '../keys/smartcard.js';
import { authenticationMethodOf, type LoginCredential, loginCredential } from './credential.js';
import { nonceRequest, processNonceResponse } from './nonce.js';
import { preauthenticationRequest, processPreauthenticationResponse } from './preauth.js';
import {
  loginRequest,
  processLoginResponse,
  processRefreshResponse,
  refreshRequest,
  type TokenResult,
} from './token.js';

/** One finished step. */
export interface PssoStep {
  readonly step:
    | 'nonce'
    | 'preauthentication'
    | 'mex'
    | 'wstrust'
    | 'login'
    | 'refresh'
    | 'key_request'
    | 'key_exchange';
  readonly ms: number;
  /** A short, secret-free description. */
  readonly detail: string;
}

/** Options of {@link pssoLogin}. */
export interface PssoLoginOptions {
  readonly config: ResolvedLoginConfiguration;
  readonly username: string;
  /** Required by the `password` method; unused by `userSecureEnclaveKey` and `smartCard`. */
  readonly password?: string;
  readonly keys: DeviceKeys;
  /** The SmartCard of a `smartCard` login (see `loadSmartCard`). */
  readonly smartCard?: SmartCardCredential;
  readonly http?: HttpOptions;
  readonly onStep?: (step: PssoStep) => void;
}

/** What a login gave. */
export interface PssoLoginResult extends TokenResult {
  /** Whether the login went through WS-Trust federation. */
  readonly federated: boolean;
  /** The SAML version of the STS's assertion, when federated. */
  readonly samlVersion?: SamlVersion;
  readonly steps: readonly PssoStep[];
}

/**
 * Runs the login.
 *
 * @example
 * ```ts
 * const r = await pssoLogin({ config, username: 'alice@federated.example', password, keys });
 * r.response.refreshToken;
 * ```
 */
export async function pssoLogin(o: PssoLoginOptions): Promise<PssoLoginResult> {
  const { config } = o;
  const steps: PssoStep[] = [];
  const timed = async <T>(
    step: PssoStep['step'],
    run: () => Promise<T>,
    detail: (v: T) => string,
  ): Promise<T> => {
    const t0 = performance.now();
    const v = await run();
    const s = { step, ms: Math.round((performance.now() - t0) * 10) / 10, detail: detail(v) };
    steps.push(s);
    o.onStep?.(s);
    return v;
  };
  const requestId = randomUUID().toUpperCase();
  const contextNonce = randomUUID().toUpperCase();
  const serverNonce = await timed(
    'nonce',
    async () => processNonceResponse(await nonceRequest(config, requestId, o.http), config),
    () => 'server nonce received',
  );
  let mexUrl: URL | undefined;
  let samlVersion: SamlVersion | undefined;
  // Only a password login federates; a key login (§3.9) goes straight to the token endpoint.
  const byPassword = authenticationMethodOf(config) === 'password';
  if (byPassword && config.federationType === 'wsTrust') mexUrl = config.federationMEXURL;
  else if (byPassword && config.federationType === 'dynamicWSTrust') {
    const r = await timed(
      'preauthentication',
      async () =>
        processPreauthenticationResponse(
          await preauthenticationRequest(config, o.username, requestId, o.http),
          config,
        ),
      (v) => (v.federated ? 'federated' : 'not federated: password login'),
    );
    if (r.federated) mexUrl = r.mexUrl;
  }
  let credential: LoginCredential;
  if (mexUrl !== undefined) {
    const urn = config.federationRequestURN;
    if (urn === undefined) throw new TypeError('the configuration has no federationRequestURN');
    if (o.password === undefined) throw new TypeError('a password is required');
    const record = (step: PssoStep['step'], ms: number, detail: string) => {
      const st = { step, ms: Math.round(ms * 10) / 10, detail };
      steps.push(st);
      o.onStep?.(st);
    };
    const ws = await wsTrustLogin({
      mexUrl,
      federationRequestURN: urn,
      username: o.username,
      password: o.password,
      ...(o.http === undefined ? {} : { http: o.http }),
      onProgress: (e) => {
        if (e.step === 'mex' && e.phase === 'done') {
          record(
            'mex',
            e.ms,
            `${e.metadata.usernamePassword.length} username/password endpoint(s)`,
          );
        } else if (e.step === 'rst' && e.phase === 'done') {
          record('wstrust', e.ms, `WS-Trust ${e.endpoint.version}`);
        }
      },
    });
    samlVersion = ws.token.samlVersion;
    credential = { samlAssertion: { xml: ws.token.assertion, version: ws.token.samlVersion } };
  } else {
    credential = await loginCredential(config, {
      ...o,
      contextNonce,
      serverNonce,
      scope: scopeOf(config),
    });
  }
  const jwt = await buildLoginJwt({
    signingKey: o.keys.signing.privateKey,
    encryptionPublicKey: o.keys.encryption.publicKey,
    clientId: config.clientID,
    username: o.username,
    tokenEndpoint: config.tokenEndpointURL,
    nonce: contextNonce,
    serverNonce,
    serverNonceClaimName: config.serverNonceClaimName,
    scope: scopeOf(config),
    customHeaderClaims: config.customLoginRequestHeaderClaims,
    customBodyClaims: config.customLoginRequestBodyClaims,
    ...credential,
    ...hpkeRequest(o.keys).jwt,
  });
  const apv = loginApv(o.keys.encryption.publicKey, contextNonce).base64url;
  const result = await timed(
    'login',
    async () =>
      processLoginResponse(await loginRequest(config, jwt, requestId, o.http), config, {
        apv,
        contextNonce,
        encryptionPrivateKey: o.keys.encryption.privateKey,
        ...hpkeRequest(o.keys).response(config, contextNonce),
        ...(o.http === undefined ? {} : { http: o.http }),
      }),
    (v) => `id_token for ${String(v.idTokenClaims.sub)}`,
  );
  return {
    ...result,
    federated: mexUrl !== undefined,
    ...(samlVersion === undefined ? {} : { samlVersion }),
    steps,
  };
}

/**
 * Refreshes with a refresh token (nonce first, then the refresh JWT).
 *
 * @example
 * ```ts
 * const r = await pssoRefresh({ config, keys, refreshToken });
 * ```
 */
export async function pssoRefresh(o: {
  config: ResolvedLoginConfiguration;
  keys: DeviceKeys;
  refreshToken: string;
  http?: HttpOptions;
  onStep?: (step: PssoStep) => void;
}): Promise<TokenResult & { steps: readonly PssoStep[] }> {
  const { config } = o;
  const requestId = randomUUID().toUpperCase();
  const contextNonce = randomUUID().toUpperCase();
  const steps: PssoStep[] = [];
  const t0 = performance.now();
  const serverNonce = processNonceResponse(await nonceRequest(config, requestId, o.http), config);
  const s1: PssoStep = {
    step: 'nonce',
    ms: Math.round(performance.now() - t0),
    detail: 'server nonce received',
  };
  steps.push(s1);
  o.onStep?.(s1);
  const jwt = await buildRefreshJwt({
    signingKey: o.keys.signing.privateKey,
    encryptionPublicKey: o.keys.encryption.publicKey,
    clientId: config.clientID,
    refreshEndpoint: config.refreshEndpointURL ?? config.tokenEndpointURL,
    refreshToken: o.refreshToken,
    nonce: contextNonce,
    serverNonce,
    serverNonceClaimName: config.serverNonceClaimName,
    scope: scopeOf(config),
    ...hpkeRequest(o.keys).jwt,
  });
  const t1 = performance.now();
  const result = await processRefreshResponse(
    await refreshRequest(config, jwt, requestId, o.http),
    config,
    {
      apv: loginApv(o.keys.encryption.publicKey, contextNonce).base64url,
      contextNonce,
      encryptionPrivateKey: o.keys.encryption.privateKey,
      ...hpkeRequest(o.keys).response(config, contextNonce),
      ...(o.http === undefined ? {} : { http: o.http }),
    },
  );
  const s2: PssoStep = {
    step: 'refresh',
    ms: Math.round(performance.now() - t1),
    detail: `id_token for ${String(result.idTokenClaims.sub)}`,
  };
  steps.push(s2);
  o.onStep?.(s2);
  return { ...result, steps };
}

/** An HPKE device (docs/PLATFORM-SSO.md §3.4): its `jwe_crypto`, and the response's HPKE key. */
function hpkeRequest(keys: DeviceKeys) {
  const key = keys.hpkeEncryption;
  return {
    jwt: key === undefined ? {} : { jweCrypto: hpkeJweCrypto(key) },
    response: (config: ResolvedLoginConfiguration, nonce: string) =>
      key === undefined ? {} : { hpke: hpkeResponseKey(config, key, nonce) },
  };
}

function scopeOf(config: ResolvedLoginConfiguration): string {
  const extra = config.additionalScopes.trim();
  return extra === '' ? 'openid offline_access' : `openid offline_access ${extra}`;
}
