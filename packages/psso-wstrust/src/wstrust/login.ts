/**
 * The whole WS-Trust federated login, built from the request/response pairs: MEX
 * ({@link mexRequest} / {@link processMexResponse}), endpoint choice, RequestSecurityToken
 * ({@link buildRequestSecurityToken}, {@link securityTokenRequest} /
 * {@link processSecurityTokenResponse}). If the 1.3 endpoint fails at the transport level
 * (connection, timeout, an HTTP status other than 200/500) and the MEX listed a 2005 endpoint,
 * that one is tried; a fault or a validation failure is never retried.
 *
 * @module
 */
import { HttpError, type PssoError } from '../errors.js';
import type { HttpOptions } from '../http/options.js';
import { mexRequest, processMexResponse } from '../mex/exchange.js';
import type { MexEndpoint, MexMetadata } from '../mex/types.js';
import { processSecurityTokenResponse, securityTokenRequest } from './exchange.js';
import { buildRequestSecurityToken, type RequestProfile } from './rst.js';
import type { ExpectedResponse, WsTrustToken } from './rstr.js';

/** Options of {@link wsTrustLogin}. Give exactly one of `mexUrl` and `endpoint`. */
export interface WsTrustLoginOptions {
  /** The MEX URL (the login configuration's federationMEXURL). */
  readonly mexUrl?: string | URL;
  /** A known endpoint: skips MEX. */
  readonly endpoint?: MexEndpoint;
  /** The `wsp:AppliesTo` of the request (federationRequestURN). */
  readonly federationRequestURN: string;
  readonly username: string;
  readonly password: string;
  /** Default `macos`. */
  readonly profile?: RequestProfile;
  /** Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** Default 120. */
  readonly clockSkewSeconds?: number;
  /** Verify the assertion's signature against these certificates (PEM); see {@link ExpectedResponse}. */
  readonly trustedSigningCertificates?: readonly string[];
  /** With `trustedSigningCertificates`: accept an RSA-SHA1 signature (older AD FS trusts). */
  readonly allowSha1?: boolean;
  /** Transport options for the MEX GET and the RST POST (timeouts, size limits, CA, …). */
  readonly http?: HttpOptions;
  /** Called as each step starts and ends (for progress display). Never given the password. */
  readonly onProgress?: (event: WsTrustLoginEvent) => void;
}

/** Progress of {@link wsTrustLogin}. */
export type WsTrustLoginEvent =
  | { readonly step: 'mex'; readonly phase: 'start'; readonly url: string }
  | {
      readonly step: 'mex';
      readonly phase: 'done';
      readonly ms: number;
      readonly metadata: MexMetadata;
    }
  | {
      readonly step: 'rst';
      readonly phase: 'start';
      readonly endpoint: MexEndpoint;
      readonly messageId: string;
    }
  | {
      readonly step: 'rst';
      readonly phase: 'done';
      readonly ms: number;
      readonly endpoint: MexEndpoint;
    }
  | {
      readonly step: 'rst';
      readonly phase: 'failed';
      readonly ms: number;
      readonly endpoint: MexEndpoint;
      readonly error: PssoError;
      /** Whether another endpoint is tried next. */
      readonly fallback: boolean;
    };

/** What {@link wsTrustLogin} obtained. */
export interface WsTrustLoginResult {
  readonly token: WsTrustToken;
  /** The endpoint that issued the token. */
  readonly endpoint: MexEndpoint;
  /** The MEX metadata, when a MEX URL was used. */
  readonly mex: MexMetadata | undefined;
}

const TRANSPORT_FAILURES = new Set([
  'PSSO_ERR_HTTP_NETWORK',
  'PSSO_ERR_HTTP_TIMEOUT',
  'PSSO_ERR_HTTP_STATUS',
]);

/**
 * The endpoints tried, in order: the MEX's first WS-Trust 1.3 username/password endpoint, then
 * its first 2005 one (the fallback after a transport failure).
 *
 * @example
 * ```ts
 * const [first, fallback] = endpointCandidates(processMexResponse(response));
 * ```
 */
export function endpointCandidates(mex: MexMetadata): MexEndpoint[] {
  const first13 = mex.usernamePassword.find((e) => e.version === '1.3');
  const first2005 = mex.usernamePassword.find((e) => e.version === '2005');
  return [first13, first2005].filter((e): e is MexEndpoint => e !== undefined);
}

/**
 * Whether an RST exchange failed at the transport level (connection, timeout, an HTTP status other
 * than 200/500), so that the next endpoint the MEX listed is tried; a fault or a validation
 * failure is not.
 *
 * @example
 * ```ts
 * if (isTransportFailure(error) && next !== undefined) continue;
 * ```
 */
export function isTransportFailure(error: unknown): error is HttpError {
  return error instanceof HttpError && TRANSPORT_FAILURES.has(error.code);
}

/**
 * Runs the WS-Trust login and returns the validated token with the endpoint used.
 *
 * @throws {HttpError} | {XmlError} | {MexError} | {WsTrustFaultError} | {WsTrustError}
 *
 * @example
 * ```ts
 * const { token, endpoint } = await wsTrustLogin({
 *   mexUrl: 'https://sts.example.com/adfs/services/trust/mex',
 *   federationRequestURN: 'urn:federation:MicrosoftOnline',
 *   username: 'alice@example.com',
 *   password,
 * });
 * token.grantType; // 'urn:ietf:params:oauth:grant-type:saml1_1-bearer'
 * ```
 */
export async function wsTrustLogin(options: WsTrustLoginOptions): Promise<WsTrustLoginResult> {
  checkOptions(options);
  const clock = options.clock ?? (() => new Date());
  const progress = options.onProgress ?? (() => {});
  let mex: MexMetadata | undefined;
  let candidates: MexEndpoint[];
  if (options.mexUrl !== undefined) {
    const url = String(options.mexUrl);
    progress({ step: 'mex', phase: 'start', url });
    const started = performance.now();
    mex = processMexResponse(await mexRequest(url, options.http));
    progress({ step: 'mex', phase: 'done', ms: performance.now() - started, metadata: mex });
    candidates = endpointCandidates(mex);
  } else {
    candidates = [options.endpoint as MexEndpoint];
  }
  for (let i = 0; ; i++) {
    const endpoint = candidates[i] as MexEndpoint;
    const rst = buildRequestSecurityToken({
      endpoint,
      appliesTo: options.federationRequestURN,
      username: options.username,
      password: options.password,
      profile: options.profile ?? 'macos',
      now: clock(),
    });
    progress({ step: 'rst', phase: 'start', endpoint, messageId: rst.messageId });
    const started = performance.now();
    const expected: ExpectedResponse = {
      version: endpoint.version,
      messageId: rst.messageId,
      ...(options.clockSkewSeconds === undefined
        ? {}
        : { clockSkewSeconds: options.clockSkewSeconds }),
      ...(options.trustedSigningCertificates === undefined
        ? {}
        : { trustedSigningCertificates: options.trustedSigningCertificates }),
      ...(options.allowSha1 === true ? { allowSha1: true } : {}),
    };
    let token: WsTrustToken;
    try {
      const response = await securityTokenRequest(endpoint, rst, options.http);
      token = processSecurityTokenResponse(response, { ...expected, now: clock() });
    } catch (error) {
      // One command deadline bounds the fallback too: once it fired, nothing is tried next.
      const fallback =
        i + 1 < candidates.length &&
        options.http?.signal?.aborted !== true &&
        isTransportFailure(error);
      if (error instanceof HttpError)
        progress({
          step: 'rst',
          phase: 'failed',
          ms: performance.now() - started,
          endpoint,
          error,
          fallback,
        });
      if (fallback) continue;
      throw error;
    }
    progress({ step: 'rst', phase: 'done', ms: performance.now() - started, endpoint });
    return { token, endpoint, mex };
  }
}

function checkOptions(options: WsTrustLoginOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('wsTrustLogin: options must be an object');
  if ((options.mexUrl === undefined) === (options.endpoint === undefined)) {
    throw new TypeError('wsTrustLogin: give exactly one of mexUrl and endpoint');
  }
  if (
    typeof options.federationRequestURN !== 'string' ||
    options.federationRequestURN.trim() === ''
  ) {
    throw new TypeError('wsTrustLogin: federationRequestURN must be a non-empty string');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function')
    throw new TypeError('wsTrustLogin: clock must be a function');
}
