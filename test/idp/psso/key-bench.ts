/**
 * Key request / key exchange helpers over the token-endpoint bench: forms as a Mac sends them
 * (optionally with claims changed and re-signed), and the client-side checks of the answer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { TokenAnswer } from '../../../packages/idp/src/psso/token.ts';
import { handleTokenRequest } from '../../../packages/idp/src/psso/token.ts';
import {
  buildKeyRequestJwt,
  type KeyRequestJwtParams,
  keyRequestBody,
} from '../../../packages/psso-wstrust/src/jose/key-request-jwt.ts';
import { loginApv } from '../../../packages/psso-wstrust/src/jose/party-info.ts';
import {
  processKeyExchangeResponse,
  processKeyResponse,
} from '../../../packages/psso-wstrust/src/psso/flow/key-endpoint.ts';
import type { DeviceKeys } from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { type Bench, BOB, openBench } from './token-bench.ts';

/** A bench whose token endpoint serves key requests. */
export async function openKeyBench(o: { clock?: () => Date } = {}): Promise<Bench> {
  const b = await openBench(o);
  return { ...b, deps: { ...b.deps, keyContextKey: randomBytes(32) } };
}

/** A refresh token issued to `device` for `upn` (as a login would). */
export function tokenFor(b: Bench, device: DeviceKeys, upn = BOB.upn): Promise<string> {
  return b.deps.refreshTokens.issue({ upn, clientId: 'psso', deviceKid: device.signing.kid });
}

export interface KeyRequestForm {
  readonly form: Record<string, string>;
  readonly apv: string;
  readonly device: DeviceKeys;
}

/** Options of {@link keyForm}. */
export interface KeyFormOptions
  extends Partial<Omit<KeyRequestJwtParams, 'signingKey' | 'encryptionPublicKey'>> {
  readonly device?: DeviceKeys;
  /** Changes the claims (then re-signed with the device key). */
  readonly mutate?: (claims: Record<string, unknown>) => void;
  /** The form's platform_sso_version; default 2.0. */
  readonly version?: string;
}

/** A key request form from the bench's device (default), signed as a Mac signs it. */
export async function keyForm(b: Bench, o: KeyFormOptions): Promise<KeyRequestForm> {
  const device = o.device ?? b.device;
  const nonce = o.nonce ?? randomUUID().toUpperCase();
  let jwt = await buildKeyRequestJwt({
    requestType: o.requestType ?? 'key_request',
    signingKey: device.signing.privateKey,
    encryptionPublicKey: device.encryption.publicKey,
    clientId: o.clientId ?? 'psso',
    username: o.username ?? BOB.upn,
    nonce,
    serverNonce: o.serverNonce ?? b.deps.nonces.issue(),
    refreshToken: o.refreshToken ?? 'none',
    ...(o.otherPublicKey === undefined ? {} : { otherPublicKey: o.otherPublicKey }),
    ...(o.keyContext === undefined ? {} : { keyContext: o.keyContext }),
    now: o.now ?? Math.floor(b.deps.clock().getTime() / 1000),
  });
  if (o.mutate !== undefined) {
    const claims = decodeJwt(jwt) as Record<string, unknown>;
    o.mutate(claims);
    jwt = await new SignJWT(claims)
      .setProtectedHeader(decodeProtectedHeader(jwt) as { alg: string })
      .sign(device.signing.privateKey);
  }
  const body = new URLSearchParams(keyRequestBody(jwt));
  const form: Record<string, string> = Object.fromEntries(body);
  if (o.version !== undefined) form.platform_sso_version = o.version;
  return { form, apv: loginApv(device.encryption.publicKey, nonce).base64url, device };
}

/** Sends a form to the handler. */
export function sendKey(b: Bench, r: KeyRequestForm): Promise<TokenAnswer> {
  return handleTokenRequest(r.form, b.deps);
}

/** The answer as the client receives it. */
export function recorded(a: TokenAnswer) {
  return {
    status: a.status,
    headers: { 'content-type': a.contentType },
    body: Buffer.from(a.body),
  };
}

/** Runs a key request from `device` and checks its answer as the client does. */
export async function requestUnlockKey(b: Bench, device = b.device, upn = BOB.upn) {
  const refreshToken = await tokenFor(b, device, upn);
  const r = await keyForm(b, { device, refreshToken, username: upn });
  const a = await sendKey(b, r);
  if (a.status !== 200) throw new Error(`expected 200, got ${a.status} ${a.outcome}`);
  const res = await processKeyResponse(recorded(a), {
    encryptionPrivateKey: device.encryption.privateKey,
    apv: r.apv,
    now: b.deps.clock(),
  });
  return { ...res, refreshToken };
}

export { processKeyExchangeResponse };
