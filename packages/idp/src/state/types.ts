/**
 * The IdP's state, one interface per kind: users, relying parties, devices, user keys, SmartCard
 * CAs, refresh tokens, lockout, replay and consumed nonces. Handlers see these interfaces only;
 * the backends (SQLite, PostgreSQL, Redis, memory) sit behind them, chosen by `openIdpState`.
 *
 * Every method is asynchronous. A backend that cannot answer throws `IdpError`
 * `PSSO_ERR_IDP_STORE_UNAVAILABLE`, so the IdP fails closed (503, a Receiver fault), never a
 * credential failure. Single use (replay, nonces, refresh tokens) is atomic in the backend itself,
 * never a read followed by a write.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import type {
  DeviceRecord,
  LookupResult,
  PresentingDevice,
  RefreshGrant,
  RelyingParty,
  RotateResult,
  SmartCardCaRecord,
  StoredUser,
  UserKeyRecord,
  UserRecord,
} from './records.js';

/** What a remembered value is. */
export type ReplayKind = 'nonce' | 'assertion-id' | 'server-nonce';

/**
 * Remembers values for a while and says whether one was seen before. Keys are SHA-256 digests of
 * (kind, scope, value); values never stored in clear. Callers record only what an authenticated
 * request presents (a Nonce after the password verified, an assertion id after its signature
 * verified, a server nonce after the device signature verified), so no anonymous request grows it.
 */
export interface ReplayCache {
  /**
   * Records (kind, scope, value) for `ttlMs`. Resolves `true` when it was new, `false` when it was
   * already there (a replay).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_REPLAY_CACHE_FULL` (memory, at capacity) or
   *   `PSSO_ERR_IDP_STORE_UNAVAILABLE` (database or Redis cannot answer): the caller fails closed.
   */
  firstSeen(kind: ReplayKind, scope: string, value: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Consumed Platform SSO server nonces: a sealed nonce is accepted once, on any host sharing the
 * store. Recorded only after the request's device signature verified.
 */
export interface ConsumedNonces {
  /**
   * Marks `nonce` consumed for `ttlMs`; `true` on its first consumption, `false` afterwards.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the store cannot answer.
   */
  consume(nonce: string, ttlMs: number): Promise<boolean>;
}

/**
 * Failed-login counting for lockout, as AD FS extranet smart lockout: per user, a source (client
 * address) where the user logged in successfully within `policy.familiarMs` is *familiar*;
 * familiar sources share one counter and lock, unfamiliar sources another. A flood of wrong
 * passwords from an unfamiliar address then locks out only unfamiliar addresses, never the user
 * at a place they logged in from before. With `familiarMs` 0 or absent every source shares one
 * counter (classic lockout).
 *
 * Usernames are compared in their canonical form (`canonicalUsername`); sources are normalized
 * client addresses (`requestSource`).
 */
export interface LockoutStore {
  /** Whether `username` is locked out for requests from `source` at `now`. */
  isLocked(username: string, source: string, now: Date, policy: LockoutPolicy): Promise<boolean>;
  /**
   * Counts a failure from `source` at `now` against the counter of its class (familiar or not);
   * that class locks when `threshold` failures fall within `windowMs`, for `lockoutMs`. Resolves
   * whether requests from `source` are now locked out.
   */
  recordFailure(
    username: string,
    source: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<boolean>;
  /**
   * After a success from `source`: clears the failure count of its class and (smart lockout on)
   * marks `source` familiar at `now`. Never fails for lack of room: a source it cannot remember
   * simply stays unfamiliar.
   */
  recordSuccess(username: string, source: string, now: Date, policy: LockoutPolicy): Promise<void>;
  /** Clears every counter, lock and familiar source of `username` (an operator's unlock). */
  unlock(username: string): Promise<void>;
  close(): Promise<void>;
}

/** Lockout thresholds. */
export interface LockoutPolicy {
  readonly threshold: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
  /** How long a source stays familiar after a success; 0 or absent: no smart lockout. */
  readonly familiarMs?: number;
}

/** The counter a source's failures go to. */
export type SourceClass = 'familiar' | 'unfamiliar';

/** Most familiar sources remembered per user (the oldest goes first). */
export const MAX_FAMILIAR_SOURCES = 32;

/**
 * The IdP's users: UPN (unique in its canonical form), scrypt password hash, immutable id.
 * `verify` costs one password check whether or not the user exists.
 */
export interface UserStore {
  /**
   * Adds a user with a new immutable id.
   *
   * @throws {TypeError} for a name that is not a UPN, or an empty or over-long password.
   * @throws {IdpError} `PSSO_ERR_IDP_USER_EXISTS` when the UPN (in any spelling) is taken.
   */
  add(upn: string, password: string): Promise<StoredUser>;
  /**
   * Removes a user with its lockout state, refresh tokens and keys.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such user.
   */
  remove(upn: string): Promise<void>;
  /**
   * Sets a new password and revokes the user's refresh tokens.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such user.
   */
  setPassword(upn: string, password: string): Promise<StoredUser>;
  /** Every user, sorted by canonical UPN. */
  list(): Promise<StoredUser[]>;
  /** The user with this UPN (any spelling), or `undefined` (also for a malformed UPN). */
  get(upn: string): Promise<StoredUser | undefined>;
  /** The user when `password` is theirs, and whether the user exists; one password check always. */
  verify(
    upn: string,
    password: string,
  ): Promise<{ readonly user: UserRecord | undefined; readonly known: boolean }>;
  /** As `verify`, the user only. */
  authenticate(upn: string, password: string): Promise<UserRecord | undefined>;
  /** Costs one password check and checks nothing (a locked account answers as slowly). */
  burnPasswordCheck(password?: string): Promise<void>;
  /** Creates the demo user with a random password when absent; the password is returned once. */
  ensureDemoUser(upn?: string): Promise<{ created: boolean; password?: string }>;
}

/** The relying parties the STS issues tokens for, by exact AppliesTo identifier. */
export interface RelyingPartyStore {
  /** Every relying party, sorted by identifier. */
  list(): Promise<RelyingParty[]>;
  /** The relying party with exactly this identifier, or `undefined`. */
  get(identifier: string): Promise<RelyingParty | undefined>;
  /**
   * Adds one, or changes the SAML version and Recipient of an existing one.
   *
   * @throws {TypeError} for a bad identifier, version or recipient.
   */
  upsert(rp: RelyingParty): Promise<RelyingParty>;
}

/** Registered Platform SSO devices, by the `kid` of their signing key. */
export interface DeviceStore {
  /**
   * Registers (or re-registers) a device from its public JWKs.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_REGISTRATION_INVALID` for a bad client id, JWK or encryption
   *   algorithm.
   */
  add(
    clientId: string,
    signingJwk: unknown,
    encryptionJwk: unknown,
    encryptionAlg?: unknown,
  ): Promise<DeviceRecord>;
  /** The device whose signing key has this `kid`. */
  get(signingKid: string): Promise<DeviceRecord | undefined>;
  /** Every device, oldest first. */
  list(): Promise<DeviceRecord[]>;
  /**
   * Removes a device.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such device.
   */
  remove(signingKid: string): Promise<void>;
}

/** Users' Secure Enclave keys (P-256), by `kid`; a key belongs to one user. */
export interface UserKeyStore {
  /**
   * Registers a public key to an existing user; the same key again for the same user is a no-op.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_REGISTRATION_INVALID` for a JWK that is not a P-256 public
   *   key, or a key of another user.
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such user.
   */
  add(upn: string, jwk: unknown): Promise<UserKeyRecord>;
  /** The key with this `kid`, whoever owns it. */
  get(kid: string): Promise<UserKeyRecord | undefined>;
  /** Every key, or a user's keys (any spelling of the UPN). */
  list(upn?: string): Promise<UserKeyRecord[]>;
  /**
   * Removes a key.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such key.
   */
  remove(kid: string): Promise<void>;
}

/** The CAs trusted to issue SmartCard certificates, by SHA-256 fingerprint. */
export interface SmartCardCaStore {
  /**
   * Trusts a CA certificate (one PEM block, basicConstraints CA); adding it again is a no-op.
   *
   * @throws {TypeError} when the text is not one CA certificate.
   */
  add(pem: string): Promise<SmartCardCaRecord>;
  /** Every trusted CA, oldest first. */
  list(): Promise<SmartCardCaRecord[]>;
  /** The trusted certificates, read at most every few seconds. */
  certificates(): Promise<readonly X509Certificate[]>;
  /**
   * Stops trusting a CA (fingerprint in any case, colons allowed).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when no such CA is trusted.
   */
  remove(fingerprint: string): Promise<void>;
}

/**
 * Platform SSO refresh tokens, kept as SHA-256 digests, bound to a device, single use and grouped
 * in families for reuse detection (RFC 9700 §4.14.2): rotating marks the presented token used and
 * issues the next one atomically; presenting a used token revokes its family.
 */
export interface RefreshTokenStore {
  /** How long a token lives, ms. */
  readonly lifetimeMs: number;
  /** A new token starting a new family (after a login). */
  issue(grant: Omit<RefreshGrant, 'expires' | 'family'>): Promise<string>;
  /**
   * Consumes `token` presented by `device` and issues the next one of its family, atomically:
   * among concurrent presentations of one token exactly one succeeds.
   */
  rotate(token: string, device: PresentingDevice): Promise<RotateResult>;
  /** Checks `token` for `device` without consuming it (key requests, user key registration). */
  lookup(token: string, device: PresentingDevice): Promise<LookupResult>;
  /** Revokes every token of a user; resolves how many tokens went. */
  revoke(upn: string): Promise<number>;
}

/** Which backend holds what. */
export interface StateBackends {
  /** Users, relying parties, devices, keys, CAs and refresh tokens. */
  readonly durable: 'sqlite' | 'postgres';
  /** Replay, consumed nonces and lockout. */
  readonly ephemeral: 'sqlite' | 'postgres' | 'redis';
}

/** All of the IdP's state, from `openIdpState`. */
export interface IdpState {
  readonly backends: StateBackends;
  readonly users: UserStore;
  readonly relyingParties: RelyingPartyStore;
  readonly devices: DeviceStore;
  readonly userKeys: UserKeyStore;
  readonly smartCardCas: SmartCardCaStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly lockout: LockoutStore;
  readonly replay: ReplayCache;
  readonly nonces: ConsumedNonces;
  /** Whether every backend answers now (for `/healthz`). Never throws. */
  ping(): Promise<boolean>;
  /** Closes every backend (idempotent). */
  close(): Promise<void>;
}
