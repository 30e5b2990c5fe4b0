/**
 * The login methods beyond a typed password (docs/PLATFORM-SSO.md §3.9–§3.11, docs/PSSO-PEERS.md
 * §4.1): Secure Enclave key, SmartCard, encrypted password, an HPKE-encrypted response, and the
 * Platform SSO 2.0 key request and key exchange. Each is one entry of the methods table that
 * `demo`, `bench:flow` and `check --config` share (see `methods.ts`).
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { pssoKeyExchange, pssoKeyRequest } from './flow/key-request.js';
import { type PssoLoginResult, pssoLogin } from './flow/login.js';
import type { MethodContext, PssoMethod } from './methods.js';

/** A login with what the context holds (password and SmartCard when given). */
async function keyLogin(ctx: MethodContext): Promise<PssoLoginResult> {
  const r = await pssoLogin({
    config: ctx.config,
    username: ctx.username,
    keys: ctx.keys,
    ...(ctx.password === undefined ? {} : { password: ctx.password }),
    ...(ctx.smartCard === undefined ? {} : { smartCard: ctx.smartCard }),
    ...(ctx.http === undefined ? {} : { http: ctx.http }),
    ...(ctx.onStep === undefined ? {} : { onStep: ctx.onStep }),
  });
  ctx.session.refreshToken = r.response.refreshToken;
  return r;
}

const sub = (r: PssoLoginResult) => `id_token sub ${String(r.idTokenClaims.sub)}`;
const methodOf = (ctx: MethodContext) => ctx.config.authenticationMethod ?? 'password';

/**
 * Secure Enclave key (§3.9): an embedded assertion signed by the user's key (a software stand-in
 * kept in the key file), `grant_type` jwt-bearer, no password.
 *
 * @example
 * ```ts
 * await runMethod(SECURE_ENCLAVE_METHOD, { config, keys, username, session });
 * ```
 */
export const SECURE_ENCLAVE_METHOD: PssoMethod = {
  id: 'secure-enclave-key',
  label: 'Secure Enclave key',
  needs: { userKey: true },
  unavailable: (ctx) =>
    methodOf(ctx) !== 'userSecureEnclaveKey'
      ? 'authenticationMethod is not userSecureEnclaveKey'
      : ctx.keys.userSecureEnclaveKey === undefined
        ? 'no user Secure Enclave key in the key file (psso user-key register)'
        : undefined,
  run: async (ctx) => {
    const r = await keyLogin(ctx);
    return { steps: r.steps, detail: `user key (ES256), ${sub(r)}` };
  },
};

/**
 * SmartCard (§3.9): an embedded assertion signed by the card's key, its certificate chain in `x5c`.
 *
 * @example
 * ```ts
 * await runMethod(SMARTCARD_METHOD, { config, keys, username, smartCard, session });
 * ```
 */
export const SMARTCARD_METHOD: PssoMethod = {
  id: 'smartcard',
  label: 'SmartCard',
  needs: { smartCard: true },
  unavailable: (ctx) =>
    methodOf(ctx) !== 'smartCard'
      ? 'authenticationMethod is not smartCard'
      : ctx.smartCard === undefined
        ? 'no SmartCard key and certificate were given'
        : undefined,
  run: async (ctx) => {
    const r = await keyLogin(ctx);
    return { steps: r.steps, detail: `${ctx.smartCard?.alg ?? ''} card, x5c, ${sub(r)}` };
  },
};

/**
 * Encrypted password (§3.10): the password inside a JWE to `loginRequestEncryptionPublicKey`.
 *
 * @example
 * ```ts
 * await runMethod(ENCRYPTED_PASSWORD_METHOD, { config, keys, username, password, session });
 * ```
 */
export const ENCRYPTED_PASSWORD_METHOD: PssoMethod = {
  id: 'encrypted-password',
  label: 'encrypted password',
  needs: { password: true, loginEncryptionKey: true },
  unavailable: (ctx) =>
    ctx.password === undefined
      ? 'no password was given'
      : ctx.config.loginRequestEncryptionPublicKey === undefined
        ? 'no loginRequestEncryptionPublicKey in the configuration'
        : methodOf(ctx) !== 'password' || ctx.config.federationType === 'wsTrust'
          ? 'not a managed password login'
          : undefined,
  run: async (ctx) => {
    const r = await keyLogin(ctx);
    if (r.federated)
      return {
        steps: r.steps,
        detail: 'federated',
        skippedBecause: 'the user realm says federated',
      };
    return { steps: r.steps, detail: `password in an ECDH-ES JWE, ${sub(r)}` };
  },
};

/**
 * A login whose response is HPKE-encrypted (Platform SSO 2.0): the device key file holds an HPKE
 * encryption key, so `jwe_crypto` names its suite.
 *
 * @example
 * ```ts
 * await runMethod(HPKE_METHOD, { config, keys: hpkeKeys, username, password, session });
 * ```
 */
export const HPKE_METHOD: PssoMethod = {
  id: 'hpke',
  label: 'HPKE login response',
  needs: { password: true, hpke: true },
  unavailable: (ctx) =>
    ctx.keys.hpkeEncryption === undefined
      ? 'no HPKE encryption key in the key file'
      : ctx.password === undefined && methodOf(ctx) === 'password'
        ? 'no password was given'
        : undefined,
  run: async (ctx) => {
    const r = await keyLogin(ctx);
    return {
      steps: r.steps,
      detail: `${String(r.response.protectedHeader.alg)}, ${sub(r)}`,
    };
  },
};

/** The unlock key of a key request, kept for the key exchange of the same run. */
const unlockKeys = new WeakMap<object, { certificate: X509Certificate; keyContext: string }>();

/**
 * Platform SSO 2.0 key request (§3.11): a `user_unlock` certificate and its key_context, with the
 * refresh token of the run's last login.
 *
 * @example
 * ```ts
 * await runMethod(KEY_REQUEST_METHOD, { config, keys, username, session });
 * ```
 */
export const KEY_REQUEST_METHOD: PssoMethod = {
  id: 'key-request',
  label: 'key request (user_unlock)',
  needs: { keyEndpoint: true, refreshToken: true },
  unavailable: (ctx) =>
    ctx.session.refreshToken === undefined
      ? 'no refresh token: no login succeeded before'
      : undefined,
  run: async (ctx) => {
    const r = await pssoKeyRequest({
      config: ctx.config,
      keys: ctx.keys,
      username: ctx.username,
      refreshToken: ctx.session.refreshToken ?? '',
      ...(ctx.http === undefined ? {} : { http: ctx.http }),
      ...(ctx.onStep === undefined ? {} : { onStep: ctx.onStep }),
    });
    unlockKeys.set(ctx.session, { certificate: r.certificate, keyContext: r.keyContext });
    const curve = r.certificate.publicKey.asymmetricKeyDetails?.namedCurve ?? '?';
    return { steps: r.steps, detail: `certificate (${curve}) and key_context` };
  },
};

/**
 * Platform SSO 2.0 key exchange (§3.11): the IdP's ECDH with the unlock key, recomputed here.
 *
 * @example
 * ```ts
 * await runMethod(KEY_EXCHANGE_METHOD, { config, keys, username, session });
 * ```
 */
export const KEY_EXCHANGE_METHOD: PssoMethod = {
  id: 'key-exchange',
  label: 'key exchange (user_unlock)',
  needs: { keyEndpoint: true, refreshToken: true },
  unavailable: (ctx) =>
    unlockKeys.get(ctx.session) === undefined ? 'no key request succeeded before' : undefined,
  run: async (ctx) => {
    const unlock = unlockKeys.get(ctx.session);
    if (unlock === undefined) throw new TypeError('no key request succeeded before');
    const r = await pssoKeyExchange({
      config: ctx.config,
      keys: ctx.keys,
      username: ctx.username,
      refreshToken: ctx.session.refreshToken ?? '',
      ...unlock,
      ...(ctx.http === undefined ? {} : { http: ctx.http }),
      ...(ctx.onStep === undefined ? {} : { onStep: ctx.onStep }),
    });
    return { steps: r.steps, detail: `exchanged key verified (${r.key.length} bytes)` };
  },
};
