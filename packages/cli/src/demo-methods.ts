/**
 * What `demo` runs: one entry per login method shown (docs/PLATFORM-SSO.md §1, §3.6–§3.12), each the
 * shared method of `src/psso/methods.ts` run with the demo's configuration and user for it. A new
 * method is one entry here (and, when it needs something new from the IdP — a user key, a
 * certificate — a few lines in {@link DemoWorld}'s setup in `demo-run.ts`).
 *
 * @module
 */
import type {
  DeviceKeys,
  ResolvedLoginConfiguration,
  SmartCardCredential,
} from 'psso-wstrust/psso';
import {
  ENCRYPTED_PASSWORD_METHOD,
  FEDERATED_METHOD,
  HPKE_METHOD,
  KEY_EXCHANGE_METHOD,
  KEY_REQUEST_METHOD,
  type MethodContext,
  type MethodInputs,
  type MethodOutcome,
  PASSWORD_METHOD,
  type PssoMethod,
  REFRESH_METHOD,
  SECURE_ENCLAVE_METHOD,
  SMARTCARD_METHOD,
} from 'psso-wstrust/psso';

/** A user of the demo IdPs. */
export interface DemoUser {
  readonly upn: string;
  readonly password: string;
}

/** What the demo set up: configurations (one per IdP and federation kind) and users. */
export interface DemoWorld {
  readonly configs: {
    /** IdP 1, static WS-Trust; its token endpoint takes SAML 1.1 (`urn:federation:MicrosoftOnline`). */
    readonly saml11: ResolvedLoginConfiguration;
    /** IdP 2, static WS-Trust; its relying party is SAML 2.0. */
    readonly saml2: ResolvedLoginConfiguration;
    /** IdP 1, dynamic WS-Trust (the user realm decides federated or password). */
    readonly dynamic: ResolvedLoginConfiguration;
    /** IdP 1, no federation: managed password logins (and HPKE, key request/exchange). */
    readonly managed: ResolvedLoginConfiguration;
    /** IdP 1, the password encrypted to its `loginRequestEncryptionPublicKey`. */
    readonly encrypted: ResolvedLoginConfiguration;
    /** IdP 1, `authenticationMethod` `userSecureEnclaveKey`. */
    readonly enclave: ResolvedLoginConfiguration;
    /** IdP 1, `authenticationMethod` `smartCard`. */
    readonly smartcard: ResolvedLoginConfiguration;
  };
  /** A second device, registered for HPKE responses. */
  readonly hpkeKeys: DeviceKeys;
  /** The managed user's SmartCard. */
  readonly smartCard: SmartCardCredential;
  /** Federated users of IdP 1 and IdP 2; a managed (password) user of IdP 1. */
  readonly users: {
    readonly federated: DemoUser;
    readonly federated2: DemoUser;
    readonly managed: DemoUser;
  };
  /** A method context for `config` and `user` (the session is per IdP, so refresh follows its login). */
  context(
    config: ResolvedLoginConfiguration,
    user?: DemoUser,
    inputs?: MethodInputs,
    deviceKeys?: DeviceKeys,
  ): MethodContext;
}

/** One row of the demo. */
export interface DemoMethod {
  /** Shown in the table and as `run` in `--json`. */
  readonly name: string;
  /** The shared method (its id is `method` in `--json`). */
  readonly method: PssoMethod;
  readonly run: (w: DemoWorld) => Promise<MethodOutcome>;
}

/**
 * The demo's rows, in order. Refresh comes last: it refreshes IdP 1's last login.
 *
 * @example
 * ```ts
 * DEMO_METHODS.map((m) => m.name);
 * ```
 */
export const DEMO_METHODS: readonly DemoMethod[] = [
  {
    name: 'password (managed)',
    method: PASSWORD_METHOD,
    run: (w) => PASSWORD_METHOD.run(w.context(w.configs.dynamic, w.users.managed)),
  },
  {
    name: 'federated SAML 1.1',
    method: FEDERATED_METHOD,
    run: (w) => FEDERATED_METHOD.run(w.context(w.configs.saml11, w.users.federated)),
  },
  {
    name: 'federated SAML 2.0',
    method: FEDERATED_METHOD,
    run: (w) => FEDERATED_METHOD.run(w.context(w.configs.saml2, w.users.federated2)),
  },
  {
    name: 'dynamic WS-Trust',
    method: FEDERATED_METHOD,
    run: (w) => FEDERATED_METHOD.run(w.context(w.configs.dynamic, w.users.federated)),
  },
  {
    name: 'encrypted password',
    method: ENCRYPTED_PASSWORD_METHOD,
    run: (w) => ENCRYPTED_PASSWORD_METHOD.run(w.context(w.configs.encrypted, w.users.managed)),
  },
  {
    name: 'Secure Enclave key',
    method: SECURE_ENCLAVE_METHOD,
    run: (w) => SECURE_ENCLAVE_METHOD.run(w.context(w.configs.enclave, w.users.managed)),
  },
  {
    name: 'SmartCard',
    method: SMARTCARD_METHOD,
    run: (w) =>
      SMARTCARD_METHOD.run(
        w.context(w.configs.smartcard, w.users.managed, { smartCard: w.smartCard }),
      ),
  },
  {
    name: 'refresh',
    method: REFRESH_METHOD,
    run: (w) => REFRESH_METHOD.run(w.context(w.configs.saml11)),
  },
  {
    name: 'key request',
    method: KEY_REQUEST_METHOD,
    run: (w) => KEY_REQUEST_METHOD.run(w.context(w.configs.managed, w.users.managed)),
  },
  {
    name: 'key exchange',
    method: KEY_EXCHANGE_METHOD,
    run: (w) => KEY_EXCHANGE_METHOD.run(w.context(w.configs.managed, w.users.managed)),
  },
  {
    name: 'HPKE login',
    method: HPKE_METHOD,
    run: (w) =>
      HPKE_METHOD.run(w.context(w.configs.managed, w.users.managed, undefined, w.hpkeKeys)),
  },
];
