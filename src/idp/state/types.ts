/**
 * Replay protection and lockout counters: what the STS and the token endpoint need from a store
 * (the embedded database, Redis, or memory).
 *
 * @module
 */

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
