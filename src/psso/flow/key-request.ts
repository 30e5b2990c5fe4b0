/**
 * The Platform SSO 2.0 key request and key exchange flows (`key_purpose` `user_unlock`,
 * docs/PLATFORM-SSO.md §3.11): server nonce → the signed key request JWT → POST to `keyEndpointURL`
 * (default the token endpoint) with `platform_sso_version=2.0` → the key response checked
 * ({@link processKeyRequestResponse}, {@link processKeyExchangeResponse}). The request builders
 * ({@link keyRequest}) and the response checks are separate, so a recorded exchange can be
 * replayed without a network.
 *
 * @module
 */
import {
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  type X509Certificate,
} from 'node:crypto';
import type { HttpOptions } from '../../http/options.js';
import { httpRequest } from '../../http/request.js';
import {
  buildKeyRequestJwt,
  KEY_RESPONSE_CONTENT_TYPE,
  keyRequestBody,
} from '../../jose/key-request-jwt.js';
import { loginApv } from '../../jose/party-info.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import type { DeviceKeys } from '../keys/device-keys.js';
import {
  type KeyExchangeResult,
  type KeyRequestResult,
  processKeyExchangeResponse,
  processKeyRequestResponse,
} from './key-response.js';
import { type FormRequest, fetchServerNonce } from './nonce.js';

/** One finished step of a key flow. */
export interface KeyFlowStep {
  readonly step: 'nonce' | 'key_request' | 'key_exchange';
  readonly ms: number;
  /** A short, secret-free description. */
  readonly detail: string;
}

/** Inputs of {@link keyRequest}. */
export interface KeyRequestInput {
  readonly config: ResolvedLoginConfiguration;
  readonly keys: DeviceKeys;
  readonly username: string;
  readonly refreshToken: string;
  readonly serverNonce: string;
  /** The `client-request-id` (the nonce request's). */
  readonly requestId: string;
  /** Default a fresh uppercase UUID. */
  readonly contextNonce?: string;
  /** key_exchange: the other key pair's public half and the stored key_context. */
  readonly exchange?: { readonly otherPublicKey: KeyObject; readonly keyContext: string };
  /** Seconds since the epoch; default now. */
  readonly now?: number;
}

/** A built key request and what its answer is checked with. */
export interface BuiltKeyRequest extends FormRequest {
  readonly jwt: string;
  readonly apv: string;
  readonly contextNonce: string;
}

/**
 * Builds a key request or key exchange POST (no network).
 *
 * @example
 * ```ts
 * const req = await keyRequest({ config, keys, username, refreshToken, serverNonce, requestId });
 * // POST req.url with req.headers and req.body
 * ```
 */
export async function keyRequest(i: KeyRequestInput): Promise<BuiltKeyRequest> {
  const contextNonce = i.contextNonce ?? randomUUID().toUpperCase();
  const jwt = await buildKeyRequestJwt({
    requestType: i.exchange === undefined ? 'key_request' : 'key_exchange',
    signingKey: i.keys.signing.privateKey,
    encryptionPublicKey: i.keys.encryption.publicKey,
    clientId: i.config.clientID,
    username: i.username,
    nonce: contextNonce,
    serverNonce: i.serverNonce,
    serverNonceClaimName: i.config.serverNonceClaimName,
    refreshToken: i.refreshToken,
    ...(i.exchange === undefined
      ? {}
      : { otherPublicKey: i.exchange.otherPublicKey, keyContext: i.exchange.keyContext }),
    ...(i.now === undefined ? {} : { now: i.now }),
  });
  return {
    url: i.config.keyEndpointURL ?? i.config.tokenEndpointURL,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: KEY_RESPONSE_CONTENT_TYPE,
      'client-request-id': i.requestId,
    },
    body: keyRequestBody(jwt, i.config.customRequestJWTParameterName),
    jwt,
    apv: loginApv(i.keys.encryption.publicKey, contextNonce).base64url,
    contextNonce,
  };
}

/** Options common to both flows. */
export interface KeyFlowOptions {
  readonly config: ResolvedLoginConfiguration;
  readonly keys: DeviceKeys;
  readonly username: string;
  /** The refresh token of the user's last login. */
  readonly refreshToken: string;
  readonly http?: HttpOptions;
  readonly onStep?: (step: KeyFlowStep) => void;
  /** The clock for the response's iat/exp check; default now. */
  readonly now?: () => Date;
}

/** Runs nonce → build → POST, timing each step. */
async function run<T>(
  o: KeyFlowOptions,
  step: 'key_request' | 'key_exchange',
  exchange: KeyRequestInput['exchange'],
  check: (res: Awaited<ReturnType<typeof httpRequest>>, req: BuiltKeyRequest) => Promise<T>,
  detail: (v: T) => string,
): Promise<T & { steps: readonly KeyFlowStep[] }> {
  const steps: KeyFlowStep[] = [];
  const record = (s: KeyFlowStep) => {
    steps.push(s);
    o.onStep?.(s);
  };
  const requestId = randomUUID().toUpperCase();
  let t0 = performance.now();
  const serverNonce = await fetchServerNonce(o.config, requestId, o.http);
  record({ step: 'nonce', ms: ms(t0), detail: 'server nonce received' });
  t0 = performance.now();
  const now = o.now?.() ?? new Date();
  const req = await keyRequest({
    config: o.config,
    keys: o.keys,
    username: o.username,
    refreshToken: o.refreshToken,
    serverNonce,
    requestId,
    now: Math.floor(now.getTime() / 1000),
    ...(exchange === undefined ? {} : { exchange }),
  });
  const res = await httpRequest(
    { method: 'POST', url: req.url, headers: req.headers, body: req.body },
    o.http,
  );
  const result = await check(res, req);
  record({ step, ms: ms(t0), detail: detail(result) });
  return { ...result, steps };
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

/**
 * Key request: a certificate (EC P-256) and a key_context for the user's unlock key.
 *
 * @example
 * ```ts
 * const r = await pssoKeyRequest({ config, keys, username, refreshToken });
 * save({ certificate: r.certificateDer.toString('base64url'), keyContext: r.keyContext });
 * ```
 */
export async function pssoKeyRequest(
  o: KeyFlowOptions,
): Promise<KeyRequestResult & { steps: readonly KeyFlowStep[] }> {
  return run(
    o,
    'key_request',
    undefined,
    (res, req) =>
      processKeyRequestResponse(res, {
        encryptionPrivateKey: o.keys.encryption.privateKey,
        apv: req.apv,
        now: o.now?.() ?? new Date(),
      }),
    (v) => `certificate for ${v.certificate.subject.replace(/\n/g, ', ')}`,
  );
}

/** Options of {@link pssoKeyExchange}. */
export interface KeyExchangeFlowOptions extends KeyFlowOptions {
  /** The key request's certificate. */
  readonly certificate: X509Certificate;
  readonly keyContext: string;
  /** The other party's P-256 private key; default a fresh one. */
  readonly otherPrivateKey?: KeyObject;
}

/**
 * Key exchange: sends a P-256 public key (`other_publickey`) and the key_context; the answer's
 * `key` must equal the ECDH this client computes with its private half and the certificate key.
 *
 * @example
 * ```ts
 * const r = await pssoKeyExchange({ config, keys, username, refreshToken, certificate, keyContext });
 * r.verified; // true
 * ```
 */
export async function pssoKeyExchange(
  o: KeyExchangeFlowOptions,
): Promise<KeyExchangeResult & { steps: readonly KeyFlowStep[] }> {
  const other = o.otherPrivateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return run(
    o,
    'key_exchange',
    { otherPublicKey: createPublicKey(other), keyContext: o.keyContext },
    (res, req) =>
      processKeyExchangeResponse(res, {
        encryptionPrivateKey: o.keys.encryption.privateKey,
        apv: req.apv,
        now: o.now?.() ?? new Date(),
        otherPrivateKey: other,
        certificate: o.certificate,
      }),
    () => 'exchanged key verified',
  );
}
