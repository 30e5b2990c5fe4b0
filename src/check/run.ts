/**
 * Running what macOS runs, for `check`: with a Platform SSO configuration the server nonce; the
 * user realm when asked (or when the configuration is dynamic WS-Trust); the MEX; the
 * RequestSecurityToken to the 1.3 endpoint, then 2005 after a transport failure, as the library
 * does; with a configuration, the token request with the assertion. Every exchange goes through
 * the {@link Recorder}; nothing stops the run but a missing input for the next step. Then every
 * rule is graded over the recorded exchanges.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../errors.js';
import type { HttpOptions } from '../http/options.js';
import { buildLoginJwt, loginRequestBody } from '../jose/login-jwt.js';
import { parseMex } from '../mex/parse.js';
import type { MexEndpoint } from '../mex/types.js';
import type { SamlVersion } from '../protocol/grant-types.js';
import { SOAP12_CONTENT_TYPE } from '../protocol/media-types.js';
import type { ResolvedLoginConfiguration } from '../psso/config/types.js';
import { nonceRequest, processNonceResponse } from '../psso/flow/nonce.js';
import {
  preauthenticationRequest,
  processPreauthenticationResponse,
} from '../psso/flow/preauth.js';
import type { DeviceKeys } from '../psso/keys/device-keys.js';
import type { MethodInputs } from '../psso/methods.js';
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

const FALLBACK_CODES = new Set(['PSSO_ERR_HTTP_NETWORK', 'PSSO_ERR_HTTP_TIMEOUT']);

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
    const req = nonceRequest(o.config, requestId);
    const sent = await rec.send(
      'psso-nonce',
      { method: 'POST', url: req.url, headers: req.headers, body: req.body },
      http,
    );
    if (sent.response !== undefined) {
      try {
        serverNonce = processNonceResponse(o.config, sent.response.status, sent.response.body);
        rec.addSecret(serverNonce);
      } catch {
        serverNonce = undefined;
      }
    }
  }

  // Where the MEX is.
  let mexUrl = o.mexUrl;
  if (o.realmUrl !== undefined || o.config?.federationType === 'dynamicWSTrust') {
    let url: URL;
    let headers: Record<string, string>;
    if (o.config !== undefined) {
      const r = preauthenticationRequest(o.config, o.username, requestId);
      url = r.url;
      headers = { ...r.headers };
    } else {
      url = new URL(o.realmUrl as string);
      url.searchParams.append('user', o.username);
      headers = { accept: 'application/json', 'client-request-id': requestId };
    }
    progress(`GET user realm ${url.origin}${url.pathname}`);
    const sent = await rec.send('realm', { method: 'GET', url, headers }, http);
    mexUrl = realmMexUrl(sent.response?.status, sent.response?.body, o.config);
  } else if (o.config !== undefined) {
    mexUrl = o.config.federationMEXURL?.href;
  }

  // MEX, then the RST to 1.3, and 2005 after a transport failure.
  let candidates: MexEndpoint[] = [];
  if (mexUrl !== undefined) {
    progress(`GET MEX ${mexUrl}`);
    const sent = await rec.send('mex', { method: 'GET', url: mexUrl }, http);
    const r = sent.response;
    if (r !== undefined && r.status >= 200 && r.status <= 299) {
      try {
        const mex = parseMex(r.body);
        const c13 = mex.usernamePassword.find((e) => e.version === '1.3');
        const c2005 = mex.usernamePassword.find((e) => e.version === '2005');
        candidates = [c13, c2005].filter((e): e is MexEndpoint => e !== undefined);
      } catch {
        candidates = [];
      }
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
    const sent = await rec.send(
      'rst',
      {
        method: 'POST',
        url: endpoint.address,
        headers: { 'content-type': SOAP12_CONTENT_TYPE, soapaction: rst.soapAction },
        body: rst.body,
      },
      { ...http, maxRedirects: 0 },
    );
    const status = sent.response?.status;
    const transportFailure =
      (sent.error instanceof HttpError && FALLBACK_CODES.has(sent.error.code)) ||
      (status !== undefined && status !== 200 && status !== 500);
    if (!transportFailure || signal?.aborted === true) break;
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

function realmMexUrl(
  status: number | undefined,
  body: Uint8Array | undefined,
  config: ResolvedLoginConfiguration | undefined,
): string | undefined {
  if (status === undefined || body === undefined) return undefined;
  if (config !== undefined) {
    try {
      const r = processPreauthenticationResponse(config, status, body);
      return r.federated ? r.mexUrl.href : undefined;
    } catch {
      return undefined;
    }
  }
  if (status < 200 || status > 299) return undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    const url = (json as Record<string, unknown>)?.federation_metadata_url;
    return (json as Record<string, unknown>)?.account_type === 'Federated' &&
      typeof url === 'string'
      ? url
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
  await rec.send(
    'psso-token',
    {
      method: 'POST',
      url: config.tokenEndpointURL,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/platformsso-login-response+jwt',
        'client-request-id': c.requestId,
      },
      body: loginRequestBody(jwt, {
        parameterName: config.customRequestJWTParameterName,
        customValues: config.customLoginRequestValues.map(
          (i) => [i.name, i.value] as [string, string],
        ),
      }),
    },
    c.http,
  );
}
