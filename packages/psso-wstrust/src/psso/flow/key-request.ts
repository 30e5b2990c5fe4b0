/**
 * The Platform SSO 2.0 key request and key exchange flows (`key_purpose` `user_unlock`,
 * docs/PLATFORM-SSO.md §3.11), built from the request/response pairs: server nonce
 * ({@link nonceRequest} / {@link processNonceResponse}) → the signed key request JWT → the key
 * endpoint ({@link keyRequest} / {@link processKeyResponse}, {@link keyExchangeRequest} /
 * {@link processKeyExchangeResponse}, in `key-endpoint.ts`).
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
import type { HttpResponse } from '../../http/request.js';
import { buildKeyRequestJwt } from '../../jose/key-request-jwt.js';
import { loginApv } from '../../jose/party-info.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import type { DeviceKeys } from '../keys/device-keys.js';
import {
  type KeyExchangeResult,
  type KeyRequestResult,
  type KeyResponseContext,
  keyExchangeRequest,
  keyRequest,
  processKeyExchangeResponse,
  processKeyResponse,
} from './key-endpoint.js';
import { nonceRequest, processNonceResponse } from './nonce.js';

/** One finished step of a key flow. */
export interface KeyFlowStep {
  readonly step: 'nonce' | 'key_request' | 'key_exchange';
  readonly ms: number;
  /** A short, secret-free description. */
  readonly detail: string;
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

/** What one key flow sends and how its answer is judged. */
interface KeyFlowKind<T> {
  readonly step: 'key_request' | 'key_exchange';
  readonly exchange?: { readonly otherPublicKey: KeyObject; readonly keyContext: string };
  readonly request: typeof keyRequest;
  readonly process: (res: HttpResponse, ctx: KeyResponseContext) => Promise<T>;
  readonly detail: (v: T) => string;
}

/** Runs nonce → build → the key endpoint pair, timing each step. */
async function run<T>(
  o: KeyFlowOptions,
  kind: KeyFlowKind<T>,
): Promise<T & { steps: readonly KeyFlowStep[] }> {
  const steps: KeyFlowStep[] = [];
  const record = (s: KeyFlowStep) => {
    steps.push(s);
    o.onStep?.(s);
  };
  const requestId = randomUUID().toUpperCase();
  let t0 = performance.now();
  const serverNonce = processNonceResponse(
    await nonceRequest(o.config, requestId, o.http),
    o.config,
  );
  record({ step: 'nonce', ms: ms(t0), detail: 'server nonce received' });
  t0 = performance.now();
  const now = o.now?.() ?? new Date();
  const contextNonce = randomUUID().toUpperCase();
  const jwt = await buildKeyRequestJwt({
    requestType: kind.step,
    signingKey: o.keys.signing.privateKey,
    encryptionPublicKey: o.keys.encryption.publicKey,
    clientId: o.config.clientID,
    username: o.username,
    nonce: contextNonce,
    serverNonce,
    serverNonceClaimName: o.config.serverNonceClaimName,
    refreshToken: o.refreshToken,
    ...(kind.exchange === undefined ? {} : kind.exchange),
    now: Math.floor(now.getTime() / 1000),
  });
  const res = await kind.request(o.config, jwt, requestId, o.http);
  const result = await kind.process(res, {
    encryptionPrivateKey: o.keys.encryption.privateKey,
    apv: loginApv(o.keys.encryption.publicKey, contextNonce).base64url,
    now: o.now?.() ?? new Date(),
  });
  record({ step: kind.step, ms: ms(t0), detail: kind.detail(result) });
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
  return run(o, {
    step: 'key_request',
    request: keyRequest,
    process: processKeyResponse,
    detail: (v) => `certificate for ${v.certificate.subject.replace(/\n/g, ', ')}`,
  });
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
  return run(o, {
    step: 'key_exchange',
    exchange: { otherPublicKey: createPublicKey(other), keyContext: o.keyContext },
    request: keyExchangeRequest,
    process: (res, ctx) =>
      processKeyExchangeResponse(res, {
        ...ctx,
        otherPrivateKey: other,
        certificate: o.certificate,
      }),
    detail: () => 'exchanged key verified',
  });
}
