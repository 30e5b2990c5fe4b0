/**
 * What a backend gives `openIdpState`: the durable stores (users, relying parties, devices, user
 * keys, SmartCard CAs, refresh tokens) and, unless Redis takes them, the ephemeral ones (replay
 * and lockout), over one connection (SQLite) or pool (PostgreSQL).
 *
 * @module
 */
import type { PasswordHasher } from './password.js';
import type { IdpState } from './types.js';

/** Users, relying parties, devices, user keys, SmartCard CAs and refresh tokens. */
export type DurableStores = Pick<
  IdpState,
  'users' | 'relyingParties' | 'devices' | 'userKeys' | 'smartCardCas' | 'refreshTokens'
>;

/** Replay (and consumed nonces) and lockout, with their own teardown. */
export interface EphemeralStores extends Pick<IdpState, 'replay' | 'lockout'> {
  /** Whether they answer now; absent: they share the backend's connection. Never throws. */
  readonly ping?: () => Promise<boolean>;
  /** Stops their timers and connections (the backend's own connection stays open). */
  close(): Promise<void>;
}

/** Options every backend takes. */
export interface BackendOptions {
  /** Password hashing for the user store (tests inject a fast one). */
  readonly hasher?: PasswordHasher;
  /** The clock of replay and refresh tokens, epoch ms (default `Date.now`). */
  readonly now?: () => number;
  /** Refresh token lifetime, ms (default 14 days). */
  readonly refreshTokenLifetimeMs?: number;
}

/** An open backend. */
export interface StateBackend {
  readonly kind: 'sqlite' | 'postgres';
  readonly durable: DurableStores;
  /** Makes the replay cache and lockout store of this backend (once; they share its connection). */
  ephemeral(): EphemeralStores;
  /** Whether the backend answers a query now. Never throws. */
  ping(): Promise<boolean>;
  /** Closes the connection or pool (idempotent). */
  close(): Promise<void>;
}
