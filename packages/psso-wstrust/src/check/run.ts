/**
 * Running what macOS runs, for `check`, with the library's own request/response pairs: with a
 * Platform SSO configuration the server nonce; the user realm when asked (or when the
 * configuration is dynamic WS-Trust); the MEX; the RequestSecurityToken to the 1.3 endpoint, then
 * 2005 after a transport failure, as `wsTrustLogin` does; with a configuration, the token request
 * with the assertion. Every exchange goes through the {@link Recorder} (the pairs' transport);
 * nothing stops the run but a missing input for the next step. Then every rule is graded over the
 * recorded exchanges.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { HttpOptions } from '../http/options.js';
import { sendHttpRequest } from '../http/request.js';
import { buildLoginJwt } from '../jose/login-jwt.js';
import { mexRequest, processMexResponse } from '../mex/exchange.js';
import type { MexEndpoint } from '../mex/types.js';
import type { SamlVersion } from '../protocol/grant-types.js';
import { JSON_MEDIA_TYPE } from '../protocol/media-types.js';
import type { ResolvedLoginConfiguration } from '../psso/config/types.js';
import { nonceRequest, processNonceResponse } from '../psso/flow/nonce.js';
import {
  preauthenticationRequest,
  processPreauthenticationResponse,
} from '../psso/flow/preauth.js';
import { loginRequest } from '../psso/flow/token.js';
import type { DeviceKeys } from '../psso/keys/device-keys.js';
import type { MethodInputs } from '../psso/methods.js';
import { processSecurityTokenResponse, securityTokenRequest } from '../wstrust/exchange.js';
import { endpointCandidates, isTransportFailure } from '../wstrust/login.js';
import { buildRequestSecurityToken, type RequestProfile } from '../wstrust/rst.js';
import { buildReport, grade } from './grade.js';
import { gradeMethods } from './methods.js';
import { Recorder } from './record.js';
import type { CheckReport } from './report.js';
import { judgeRstr } from './rules/rstr.js';

/** Options of {@link runCheck}. Give one of `mexUrl`, `realmUrl` and `config`. */
export interface CheckOptions {
  readonly mexUrl?: string;
  /** A user-realm URL (Entra's `…/common/UserRealm?api-version=1.0`); `user=` is appended. */
  readonly realmUrl?: string;
  /** A resolved Platform SSO login configuration, with the device keys registered at the IdP. */
  readonly config?: ResolvedLoginConfiguration;
  readonly keys?: DeviceKeys;
  /** Shown in the report's target. */
  readonly configFile?: string;
  /** The federationRequestURN; default the configuration's. */
  readonly urn?: string;
  readonly username: string;
  readonly password: string;
  readonly profile?: RequestProfile;
  readonly signingCertificates?: readonly string[];
  /** Transport options of every request. */
  readonly http?: HttpOptions;
  /** Bounds the whole run, ms. */
  readonly deadlineMs?: number;
  /** Redact secrets in the recorded exchanges. Default true. */
  readonly redact?: boolean;
  /** Called as each step starts (for a progress line). Never given a secret. */
  readonly onProgress?: (message: string) => void;
  /** The tool version for the report. */
  readonly version?: string;
  /** With `config`: credentials the login methods may use beyond the password (a user key…). */
  readonly methodInputs?: MethodInputs;
}

/** The report plus the raw exchanges (for a trace writer that was told to keep secrets). */
export interface CheckRun {
  readonly report: CheckReport;
  readonly recorder: Recorder;
}

/**
 * Runs the check and grades it. Never throws for a failure of the IdP: that is a failed rule.
 *
 * @throws {TypeError} when the options are inconsistent (no target, no URN, a config without keys).
 *
 * @example
 * ```ts
 * const { report } = await runCheck({ mexUrl, urn: 'urn:federation:MicrosoftOnline', username, password });
 * process.exitCode = report.summary.fail > 0 ? 1 : 0;
 * ```
 */
export async function runCheck(o: CheckOptions): Promise<CheckRun> {
  const targets = [o.mexUrl, o.realmUrl, o.config].filter((t) => t !== undefined).length;
  if (targets !== 1)
    throw new TypeError('runCheck: give exactly one of mexUrl, realmUrl and config');
  const urn = o.urn ?? o.config?.federationRequestURN;
  if (urn === undefined || urn.trim() === '')
    throw new TypeError('runCheck: no federationRequestURN (urn)');
  if (o.config !== undefined && o.keys === undefined)
    throw new TypeError('runCheck: a config needs device keys');
  const startedAt = new Date();
  const t0 = performance.now();
  const rec = new Recorder({ redact: o.redact !== false, secrets: [o.password] });
  const signal =
    o.deadlineMs === undefined
      ? o.http?.signal
      : o.http?.signal === undefined
        ? AbortSignal.timeout(o.deadlineMs)
        : AbortSignal.any([o.http.signal, AbortSignal.timeout(o.deadlineMs)]);
  const http: HttpOptions = { ...o.http, ...(signal === undefined ? {} : { signal }) };
  const progress = o.onProgress ?? (() => {});
  const requestId = randomUUID().toUpperCase();
  let pssoTokenSkippedBecause: string | undefined;

  // Platform SSO: the server nonce comes first.
  let serverNonce: string | undefined;
  if (o.config !== undefined) {
    progress(`POST nonce ${o.config.nonceEndpointURL.href}`);
    try {
      const recorded = { ...http, transport: rec.transport('psso-nonce') };
      serverNonce = processNonceResponse(
        await nonceRequest(o.config, requestId, recorded),
        o.config,
      );
      rec.addSecret(serverNonce);
    } catch {
      serverNonce = undefined;
    }
  }

  // Where the MEX is.
  let mexUrl = o.mexUrl;
  if (o.realmUrl !== undefined || o.config?.federationType === 'dynamicWSTrust') {
    mexUrl = await realmMexUrl(
      o,
      requestId,
      { ...http, transport: rec.transport('realm') },
      progress,
    );
  } else if (o.config !== undefined) {
    mexUrl = o.config.federationMEXURL?.href;
  }

  // MEX, then the RST to 1.3, and 2005 after a transport failure, as wsTrustLogin does.
  let candidates: MexEndpoint[] = [];
  if (mexUrl !== undefined) {
    progress(`GET MEX ${mexUrl}`);
    try {
      const mex = processMexResponse(
        await mexRequest(mexUrl, { ...http, transport: rec.transport('mex') }),
      );
      candidates = endpointCandidates(mex);
    } catch {
      candidates = [];
    }
  }
  for (let i = 0; i < candidates.length; i++) {
    const endpoint = candidates[i] as MexEndpoint;
    const rst = buildRequestSecurityToken({
      endpoint,
      appliesTo: urn,
      username: o.username,
      password: o.password,
      profile: o.profile ?? 'macos',
      now: new Date(),
    });
    progress(`POST RequestSecurityToken (WS-Trust ${endpoint.version}) ${endpoint.address}`);
    let failure: unknown;
    try {
      const response = await securityTokenRequest(endpoint, rst, {
        ...http,
        transport: rec.transport('rst'),
      });
      processSecurityTokenResponse(response, {
        version: endpoint.version,
        messageId: rst.messageId,
      });
    } catch (error) {
      failure = error;
    }
    if (!isTransportFailure(failure) || signal?.aborted === true) break;
  }

  // Platform SSO: the token request with the assertion.
  if (o.config !== undefined && o.keys !== undefined) {
    const rstr = judgeRstr(rec.raw().filter((x) => x.step === 'rst'));
    const failed = rstr.results.some((r) => r.status === 'fail');
    if (serverNonce === undefined) pssoTokenSkippedBecause = 'no server nonce was obtained';
    else if (rstr.facts.assertion === undefined || rstr.facts.samlVersion === undefined)
      pssoTokenSkippedBecause = 'no assertion was obtained from the STS';
    else if (failed) pssoTokenSkippedBecause = 'the WS-Trust response failed a rule macOS applies';
    else {
      progress(`POST token ${o.config.tokenEndpointURL.href}`);
      await sendToken(rec, o.config, o.keys, {
        username: o.username,
        requestId,
        serverNonce,
        assertion: rstr.facts.assertion,
        samlVersion: rstr.facts.samlVersion,
        http,
      });
    }
  }

  // With a configuration: each login method the configuration and keys allow, graded.
  const methods =
    o.config === undefined || o.keys === undefined
      ? undefined
      : await gradeMethods({
          config: o.config,
          keys: o.keys,
          username: o.username,
          inputs: { ...o.methodInputs, password: o.password },
          http,
          onProgress: progress,
        });

  const graded = grade({
    exchanges: rec.raw(),
    urn,
    ...(o.signingCertificates === undefined ? {} : { signingCertificates: o.signingCertificates }),
    ...(o.config === undefined ? {} : { config: o.config }),
    ...(pssoTokenSkippedBecause === undefined ? {} : { pssoTokenSkippedBecause }),
  });
  const report = buildReport({
    graded,
    exchanges: rec.recorded(),
    target: {
      ...(mexUrl === undefined ? {} : { mexUrl }),
      ...(o.realmUrl === undefined ? {} : { realmUrl: o.realmUrl }),
      ...(o.configFile === undefined ? {} : { configFile: o.configFile }),
      urn,
      username: o.username,
      profile: o.profile ?? 'macos',
    },
    startedAt,
    durationMs: performance.now() - t0,
    version: o.version ?? '0.1.0',
    ...(methods === undefined ? {} : { methods }),
  });
  return { report, recorder: rec };
}

/**
 * The MEX URL of the user realm: the Platform SSO preauthentication pair with a configuration,
 * else Entra's user realm answer (`account_type` `Federated`, `federation_metadata_url`).
 */
async function realmMexUrl(
  o: CheckOptions,
  requestId: string,
  http: HttpOptions,
  progress: (message: string) => void,
): Promise<string | undefined> {
  try {
    if (o.config !== undefined) {
      const at = o.config.federationUserPreauthenticationURL;
      progress(`GET user realm ${at === undefined ? '' : `${at.origin}${at.pathname}`}`);
      const r = processPreauthenticationResponse(
        await preauthenticationRequest(o.config, o.username, requestId, http),
        o.config,
      );
      return r.federated ? r.mexUrl.href : undefined;
    }
    const url = new URL(o.realmUrl as string);
    url.searchParams.append('user', o.username);
    progress(`GET user realm ${url.origin}${url.pathname}`);
    const headers = { accept: JSON_MEDIA_TYPE, 'client-request-id': requestId };
    const res = await sendHttpRequest({ method: 'GET', url, headers }, http);
    if (res.status < 200 || res.status > 299) return undefined;
    const json: unknown = JSON.parse(Buffer.from(res.body).toString('utf8'));
    const value = (json as Record<string, unknown>)?.federation_metadata_url;
    return (json as Record<string, unknown>)?.account_type === 'Federated' &&
      typeof value === 'string'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

async function sendToken(
  rec: Recorder,
  config: ResolvedLoginConfiguration,
  keys: DeviceKeys,
  c: {
    username: string;
    requestId: string;
    serverNonce: string;
    assertion: string;
    samlVersion: SamlVersion;
    http: HttpOptions;
  },
): Promise<void> {
  const contextNonce = randomUUID().toUpperCase();
  const extra = config.additionalScopes.trim();
  const jwt = await buildLoginJwt({
    signingKey: keys.signing.privateKey,
    encryptionPublicKey: keys.encryption.publicKey,
    clientId: config.clientID,
    username: c.username,
    tokenEndpoint: config.tokenEndpointURL,
    nonce: contextNonce,
    serverNonce: c.serverNonce,
    serverNonceClaimName: config.serverNonceClaimName,
    scope: extra === '' ? 'openid offline_access' : `openid offline_access ${extra}`,
    customHeaderClaims: config.customLoginRequestHeaderClaims,
    customBodyClaims: config.customLoginRequestBodyClaims,
    samlAssertion: { xml: c.assertion, version: c.samlVersion },
  });
  try {
    await loginRequest(config, jwt, c.requestId, {
      ...c.http,
      transport: rec.transport('psso-token'),
    });
  } catch {
    // Recorded: the token rule judges the exchange.
  }
}
