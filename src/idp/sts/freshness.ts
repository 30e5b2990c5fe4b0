/**
 * Username Token Profile 1.1.1 §4: a receiver rejects a Created outside its freshness window and a
 * Nonce it has already seen within that window. A security Timestamp, when present, must be
 * current. Strict mode requires Nonce, Created and a Timestamp.
 *
 * @module
 */

import { canonicalUsername } from '../auth/username.js';
import type { ReplayCache } from '../replay/types.js';
import { StsFault, WIRE } from './fault.js';
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

/** Checks times, then the Nonce against the replay cache (fails closed if the cache cannot answer). */
export async function checkFreshness(
  sec: SecurityHeader,
  now: number,
  policy: FreshnessPolicy,
  replay: ReplayCache,
): Promise<void> {
  if (
    policy.strict &&
    (sec.nonce === undefined || sec.created === undefined || sec.timestamp === undefined)
  ) {
    throw new StsFault(
      'strict-mode',
      WIRE.invalidSecurity,
      'strict mode requires Nonce, Created and Timestamp',
    );
  }
  if (sec.timestamp !== undefined) {
    if (sec.timestamp.created.getTime() - now > policy.skewMs)
      throw new StsFault('timestamp-future', WIRE.messageExpired);
    if (
      sec.timestamp.expires !== undefined &&
      now - sec.timestamp.expires.getTime() > policy.skewMs
    ) {
      throw new StsFault('timestamp-expired', WIRE.messageExpired);
    }
  }
  if (sec.created !== undefined) {
    const age = now - sec.created.getTime();
    if (age > policy.windowMs) throw new StsFault('stale-created', WIRE.messageExpired);
    if (-age > policy.skewMs) throw new StsFault('future-created', WIRE.messageExpired);
  }
  if (sec.nonce !== undefined) {
    // Remembered for the whole span in which its Created is acceptable.
    const first = await replay.firstSeen(
      'nonce',
      // One scope per account, however its name is spelled (NFD, case, A-label).
      canonicalUsername(sec.username),
      sec.nonce,
      policy.windowMs + policy.skewMs,
    );
    if (!first) throw new StsFault('replayed-nonce', WIRE.invalidSecurity);
  }
}
