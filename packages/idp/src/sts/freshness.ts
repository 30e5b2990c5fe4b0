/**
 * Username Token Profile 1.1.1 §4: a receiver rejects a Created outside its freshness window and a
 * Nonce it has already seen within that window. A security Timestamp, when present, must be
 * current. Strict mode requires Nonce, Created and a Timestamp.
 *
 * Two steps, so that no anonymous request writes anything: {@link checkFreshness} checks the times
 * early, and {@link recordNonce} records the Nonce only once the relying party is known and the
 * credentials verified (a flood of fresh Nonces with an unknown AppliesTo or a wrong password
 * leaves the replay store as it was).
 *
 * @module
 */

import { canonicalUsername } from '../auth/username.js';
import type { ReplayCache } from '../state/types.js';
import { StsFault } from './fault.js';
import type { SecurityHeader } from './security.js';

/** Freshness policy. */
export interface FreshnessPolicy {
  /** How old a Created may be, and how long a Nonce is remembered. Default 300 s. */
  readonly windowMs: number;
  /** Allowed clock skew for future times. Default 120 s. */
  readonly skewMs: number;
  /** Require Nonce + Created and a security Timestamp. */
  readonly strict: boolean;
}

/**
 * Checks the times: strict mode's required elements, the security Timestamp, the UsernameToken
 * Created within the window and skew. Writes nothing.
 *
 * @throws {StsFault} `strict-mode`, `timestamp-future`, `timestamp-expired`, `stale-created` or
 *   `future-created`.
 *
 * @example
 * ```ts
 * checkFreshness(security, now.getTime(), settings.freshness);
 * ```
 */
export function checkFreshness(sec: SecurityHeader, now: number, policy: FreshnessPolicy): void {
  if (
    policy.strict &&
    (sec.nonce === undefined || sec.created === undefined || sec.timestamp === undefined)
  ) {
    throw new StsFault('strict-mode', 'strict mode requires Nonce, Created and Timestamp');
  }
  if (sec.timestamp !== undefined) {
    if (sec.timestamp.created.getTime() - now > policy.skewMs)
      throw new StsFault('timestamp-future');
    if (
      sec.timestamp.expires !== undefined &&
      now - sec.timestamp.expires.getTime() > policy.skewMs
    ) {
      throw new StsFault('timestamp-expired');
    }
  }
  if (sec.created !== undefined) {
    const age = now - sec.created.getTime();
    if (age > policy.windowMs) throw new StsFault('stale-created');
    if (-age > policy.skewMs) throw new StsFault('future-created');
  }
}

/**
 * Records the UsernameToken Nonce, if any, in the replay store: call it only after the credentials
 * verified (and {@link checkFreshness} passed). Fails closed when the store cannot answer.
 *
 * @throws {StsFault} `replayed-nonce` for a Nonce already recorded for this user.
 * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` or `PSSO_ERR_IDP_REPLAY_CACHE_FULL` from the
 *   store (the STS answers a Receiver fault).
 *
 * @example
 * ```ts
 * const user = await verifyCredentials(…);
 * await recordNonce(security, settings.freshness, deps.replay);
 * ```
 */
export async function recordNonce(
  sec: SecurityHeader,
  policy: FreshnessPolicy,
  replay: ReplayCache,
): Promise<void> {
  if (sec.nonce === undefined) return;
  // Remembered for the whole span in which its Created is acceptable.
  const first = await replay.firstSeen(
    'nonce',
    // One scope per account, however its name is spelled (NFD, case, A-label).
    canonicalUsername(sec.username),
    sec.nonce,
    policy.windowMs + policy.skewMs,
  );
  if (!first) throw new StsFault('replayed-nonce');
}
