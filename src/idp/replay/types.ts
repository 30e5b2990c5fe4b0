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

/** Failed-login counting for lockout, as AD FS extranet lockout. */
export interface LockoutStore {
  /** Whether `username` is locked out at `now`. */
  isLocked(username: string, now: Date): Promise<boolean>;
  /**
   * Counts a failure at `now`; the account locks when `threshold` failures fall within
   * `windowMs`, for `lockoutMs`. Resolves whether it is now locked.
   */
  recordFailure(username: string, now: Date, policy: LockoutPolicy): Promise<boolean>;
  /** Clears the failure count after a success. */
  recordSuccess(username: string): Promise<void>;
  close(): Promise<void>;
}

/** Lockout thresholds. */
export interface LockoutPolicy {
  readonly threshold: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
}
