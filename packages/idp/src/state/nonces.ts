/**
 * Consumed server nonces over a replay cache: a consumption is a replay entry of kind
 * `server-nonce`, so it goes wherever replay goes (SQLite, PostgreSQL or Redis) and is atomic
 * there (one insert-if-absent).
 *
 * @module
 */
import type { ConsumedNonces, ReplayCache } from './types.js';

/**
 * The {@link ConsumedNonces} kept in `replay`.
 *
 * @example
 * ```ts
 * const nonces = consumedNonces(replay);
 * await nonces.consume(nonce, 420_000); // true, then false on every host sharing the cache
 * ```
 */
export function consumedNonces(replay: ReplayCache): ConsumedNonces {
  return { consume: (nonce, ttlMs) => replay.firstSeen('server-nonce', '', nonce, ttlMs) };
}
