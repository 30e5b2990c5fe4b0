/**
 * The Platform SSO login methods, in ONE table shared by `demo`, `bench:flow` and `check --config`
 * (docs/PLATFORM-SSO.md §1, §3.6–§3.12): each method says what it needs (a password, a federation, a
 * refresh token, a user key, a SmartCard, a key endpoint…), when it cannot run with a given
 * configuration, and how to run it. Adding a method is one entry in {@link PSSO_METHODS}; the
 * demo, the benchmark and the check pick it up.
 *
 * @example
 * ```ts
 * import { PSSO_METHODS, newMethodSession, runMethod } from 'psso-wstrust/psso';
 * const session = newMethodSession();
 * for (const method of PSSO_METHODS) {
 *   const r = await runMethod(method, { config, keys, username, password, session });
 *   console.log(method.label, r.result, r.detail);
 * }
 * ```
 *
 * @module
 */
import { PssoError } from '../errors.js';
import type { HttpOptions } from '../http/options.js';
import { grantTypeName, type SamlVersion, samlGrantType } from '../protocol/grant-types.js';
import type { ResolvedLoginConfiguration } from './config/types.js';
import { type PssoStep, pssoLogin, pssoRefresh } from './flow/login.js';
import type { DeviceKeys } from './keys/device-keys.js';
import type { SmartCardCredential } from './keys/smartcard.js';
import {
  ENCRYPTED_PASSWORD_METHOD,
  HPKE_METHOD,
  KEY_EXCHANGE_METHOD,
  KEY_REQUEST_METHOD,
  SECURE_ENCLAVE_METHOD,
  SMARTCARD_METHOD,
} from './methods-keys.js';

/** What a method needs to run; the check reports a method skipped when one is missing. */
export interface MethodNeeds {
  /** The user's password (typed at the login window). */
  readonly password?: boolean;
  /** A WS-Trust federation (`federationType` `wsTrust` or `dynamicWSTrust`). */
  readonly federation?: boolean;
  /** A refresh token from an earlier login of the same run. */
  readonly refreshToken?: boolean;
  /** A user Secure Enclave key (`authenticationMethod` `userSecureEnclaveKey`). */
  readonly userKey?: boolean;
  /** A SmartCard identity (`authenticationMethod` `smartCard`). */
  readonly smartCard?: boolean;
  /** The IdP's key the password is encrypted to (`loginRequestEncryptionPublicKey`). */
  readonly loginEncryptionKey?: boolean;
  /** A key service endpoint (`keyEndpointURL`, default the token endpoint). */
  readonly keyEndpoint?: boolean;
  /** HPKE keys (`hpkeAuthPublicKey` or `hpkePreSharedKey`). */
  readonly hpke?: boolean;
}

/**
 * What the methods of one run share: the refresh token of the last successful login (for
 * `refresh`), and any credential a later method needs. Methods may add fields here.
 */
export interface MethodSession {
  refreshToken?: string;
}

/**
 * A new, empty {@link MethodSession}.
 *
 * @example
 * ```ts
 * const session = newMethodSession();
 * ```
 */
export function newMethodSession(): MethodSession {
  return {};
}

/**
 * The user's credentials a method may use, beyond the device keys. A method that needs a new one
 * (a user Secure Enclave key, a SmartCard identity…) adds its optional field here; `check` and the
 * demo pass them through unchanged.
 */
export interface MethodInputs {
  /** The password typed at the login window. */
  readonly password?: string;
  /** The SmartCard of a `smartCard` login. */
  readonly smartCard?: SmartCardCredential;
}

/** Everything a method may use. Methods read what they need and ignore the rest. */
export interface MethodContext extends MethodInputs {
  readonly config: ResolvedLoginConfiguration;
  readonly keys: DeviceKeys;
  readonly username: string;
  readonly http?: HttpOptions;
  readonly onStep?: (step: PssoStep) => void;
  readonly session: MethodSession;
}

/** What a method gave. */
export interface MethodOutcome {
  readonly steps: readonly PssoStep[];
  /** A short, secret-free description (subject, SAML version…). */
  readonly detail: string;
  /** The SAML version of the STS's assertion, for a federated login. */
  readonly samlVersion?: SamlVersion;
  /**
   * Set when the server decided at run time that this method does not apply (a dynamic
   * WS-Trust user realm saying the user is, or is not, federated).
   */
  readonly skippedBecause?: string;
}

/** One login method. */
export interface PssoMethod {
  /** Stable id (`password`, `federated`, `refresh`…), used in JSON output and reports. */
  readonly id: string;
  /** Human label. */
  readonly label: string;
  readonly needs: MethodNeeds;
  /** Why this method cannot run with `ctx` (configuration, keys, session), or `undefined`. */
  readonly unavailable: (ctx: MethodContext) => string | undefined;
  /** Runs the method; throws the flow's error on failure. */
  readonly run: (ctx: MethodContext) => Promise<MethodOutcome>;
}

/**
 * A password login: the password in the login JWT (managed user).
 *
 * @example
 * ```ts
 * await PASSWORD_METHOD.run({ config, keys, username, password, session: newMethodSession() });
 * ```
 */
export const PASSWORD_METHOD: PssoMethod = {
  id: 'password',
  label: 'password',
  needs: { password: true },
  unavailable: (ctx) =>
    ctx.password === undefined
      ? 'no password was given'
      : ctx.config.federationType === 'wsTrust'
        ? 'federationType wsTrust: every login is federated'
        : undefined,
  run: async (ctx) => {
    const r = await login(ctx);
    if (r.federated)
      return {
        steps: r.steps,
        detail: 'federated',
        skippedBecause: 'the user realm says federated',
      };
    return { steps: r.steps, detail: `password, id_token sub ${String(r.idTokenClaims.sub)}` };
  },
};

/**
 * A federated login: WS-Trust to the STS, the SAML assertion (1.1 or 2.0, as the STS issues it
 * for the federationRequestURN) in the login JWT.
 *
 * @example
 * ```ts
 * const r = await FEDERATED_METHOD.run({ config, keys, username, password, session });
 * r.samlVersion; // '1.1' or '2.0'
 * ```
 */
export const FEDERATED_METHOD: PssoMethod = {
  id: 'federated',
  label: 'federated (WS-Trust)',
  needs: { password: true, federation: true },
  unavailable: (ctx) =>
    ctx.password === undefined
      ? 'no password was given'
      : ctx.config.federationType === 'none'
        ? 'federationType none: no WS-Trust federation'
        : undefined,
  run: async (ctx) => {
    const r = await login(ctx);
    if (!r.federated || r.samlVersion === undefined)
      return {
        steps: r.steps,
        detail: 'not federated',
        skippedBecause: 'the user realm says not federated',
      };
    return {
      steps: r.steps,
      detail: `SAML ${r.samlVersion} (${grantTypeName(samlGrantType(r.samlVersion))}), id_token sub ${String(r.idTokenClaims.sub)}`,
      samlVersion: r.samlVersion,
    };
  },
};

/**
 * A refresh with the refresh token of the run's last login.
 *
 * @example
 * ```ts
 * await REFRESH_METHOD.run({ config, keys, username, session }); // after a login in `session`
 * ```
 */
export const REFRESH_METHOD: PssoMethod = {
  id: 'refresh',
  label: 'refresh',
  needs: { refreshToken: true },
  unavailable: (ctx) =>
    ctx.config.refreshEndpointURL === undefined
      ? 'no refreshEndpointURL: macOS attempts no refresh'
      : ctx.session.refreshToken === undefined
        ? 'no refresh token: no login succeeded before'
        : undefined,
  run: async (ctx) => {
    const r = await pssoRefresh({
      config: ctx.config,
      keys: ctx.keys,
      refreshToken: ctx.session.refreshToken ?? '',
      ...(ctx.http === undefined ? {} : { http: ctx.http }),
      ...(ctx.onStep === undefined ? {} : { onStep: ctx.onStep }),
    });
    ctx.session.refreshToken = r.response.refreshToken;
    return { steps: r.steps, detail: `id_token sub ${String(r.idTokenClaims.sub)}` };
  },
};

/**
 * Every method, in the order a run tries them (logins before what needs a login). A new method
 * is one entry here (and, for the demo, one in `src/cli/demo-methods.ts`).
 *
 * @example
 * ```ts
 * PSSO_METHODS.map((m) => m.id); // ['password', 'federated', 'refresh']
 * ```
 */
export const PSSO_METHODS: readonly PssoMethod[] = [
  PASSWORD_METHOD,
  FEDERATED_METHOD,
  ENCRYPTED_PASSWORD_METHOD,
  SECURE_ENCLAVE_METHOD,
  SMARTCARD_METHOD,
  HPKE_METHOD,
  REFRESH_METHOD,
  KEY_REQUEST_METHOD,
  KEY_EXCHANGE_METHOD,
];

/**
 * The method with this id.
 *
 * @throws {TypeError} for an unknown id.
 * @example
 * ```ts
 * methodById('refresh').label; // 'refresh'
 * ```
 */
export function methodById(id: string): PssoMethod {
  const m = PSSO_METHODS.find((x) => x.id === id);
  if (m === undefined) throw new TypeError('methodById: unknown method id');
  return m;
}

/** One method's run, as the demo and the check report it. */
export interface MethodRun {
  readonly id: string;
  readonly label: string;
  readonly result: 'ok' | 'failed' | 'skipped';
  readonly ms: number;
  readonly detail: string;
  readonly steps: readonly PssoStep[];
  readonly samlVersion?: SamlVersion;
  /** The error code, when failed. */
  readonly code?: string;
  /** The error, when failed (for a caller that prints its remediation). */
  readonly error?: unknown;
}

/**
 * Runs one method: `skipped` when it is unavailable (or the server said it does not apply),
 * `failed` with the error's code when it throws, else `ok`. Never throws for a flow failure.
 *
 * @example
 * ```ts
 * const r = await runMethod(REFRESH_METHOD, ctx);
 * if (r.result === 'failed') console.error(r.code);
 * ```
 */
export async function runMethod(method: PssoMethod, ctx: MethodContext): Promise<MethodRun> {
  const base = { id: method.id, label: method.label };
  const why = method.unavailable(ctx);
  if (why !== undefined) return { ...base, result: 'skipped', ms: 0, detail: why, steps: [] };
  const t0 = performance.now();
  try {
    const r = await method.run(ctx);
    return {
      ...base,
      result: r.skippedBecause === undefined ? 'ok' : 'skipped',
      ms: Math.round(performance.now() - t0),
      detail: r.skippedBecause ?? r.detail,
      steps: r.steps,
      ...(r.samlVersion === undefined ? {} : { samlVersion: r.samlVersion }),
    };
  } catch (e) {
    const code = e instanceof PssoError ? e.code : e instanceof TypeError ? 'TypeError' : 'error';
    return {
      ...base,
      result: 'failed',
      ms: Math.round(performance.now() - t0),
      detail: e instanceof PssoError ? `${code}: ${e.message}` : code,
      steps: [],
      code,
      error: e,
    };
  }
}

/** The one login (password or federated, as the configuration and user realm decide). */
async function login(ctx: MethodContext) {
  const r = await pssoLogin({
    config: ctx.config,
    username: ctx.username,
    password: ctx.password ?? '',
    keys: ctx.keys,
    ...(ctx.http === undefined ? {} : { http: ctx.http }),
    ...(ctx.onStep === undefined ? {} : { onStep: ctx.onStep }),
  });
  ctx.session.refreshToken = r.response.refreshToken;
  return r;
}
