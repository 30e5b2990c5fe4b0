/**
 * A bounded memory of keys a shared replay store is known to hold, with their expiry, in front of
 * the store (SQLite, PostgreSQL): a repeated replay is answered without a query. It remembers
 * positive answers only, so forgetting (at capacity, oldest first) never changes an answer: the
 * store still has the key.
 *
 * @module
 */

/**
 * Keys known to be recorded → their expiry (epoch ms).
 *
 * @example
 * ```ts
 * const seen = new SeenMemory(10_000);
 * if (seen.knows(key, now)) return false; // a replay, no query
 * seen.remember(key, expires);
 * ```
 */
export class SeenMemory {
  readonly #entries = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Whether `key` is remembered and still live at `now` (an expired one is forgotten). */
  knows(key: string, now: number): boolean {
    const expires = this.#entries.get(key);
    if (expires === undefined) return false;
    if (expires > now) return true;
    this.#entries.delete(key);
    return false;
  }

  /** Remembers `key` until `expires`, forgetting the oldest entry at capacity. */
  remember(key: string, expires: number): void {
    if (this.#entries.size >= this.max && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, expires);
  }

  /** Forgets the entries expired at `now`. */
  prune(now: number): void {
    for (const [key, expires] of this.#entries) if (expires <= now) this.#entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }
}
