/**
 * Checks of arguments given by the IdP's own code (misuse is a `TypeError`, not an IdpError), and
 * the smart-lockout rule the memory and SQLite lockout stores share.
 *
 * @module
 */
import type { LockoutPolicy, LockoutStore, SourceClass } from './types.js';

/**
 * Checks a time-to-live: a finite number of milliseconds above zero, rounded up to a whole
 * millisecond (Redis `PX` takes integers).
 *
 * @throws {TypeError} for zero, a negative number, NaN or an infinity.
 *
 * @example
 * ```ts
 * ttlMillis(299.2, 'ttlMs'); // 300
 * ```
 */
export function ttlMillis(ms: number, name: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new TypeError(`${name} must be a finite number of milliseconds above zero`);
  }
  return Math.ceil(ms);
}

/**
 * Checks a lockout policy: `threshold` a whole number ≥ 1, both durations valid time-to-lives,
 * `familiarMs` (default 0: no smart lockout) 0 or more. Returns the policy with durations rounded
 * up to whole milliseconds.
 *
 * @throws {TypeError} when a field is out of range.
 *
 * @example
 * ```ts
 * checkLockoutPolicy({ threshold: 5, windowMs: 600_000, lockoutMs: 1_800_000 });
 * ```
 */
export function checkLockoutPolicy(policy: LockoutPolicy): Required<LockoutPolicy> {
  if (typeof policy !== 'object' || policy === null)
    throw new TypeError('policy must be an object');
  if (!Number.isSafeInteger(policy.threshold) || policy.threshold < 1) {
    throw new TypeError('policy.threshold must be a whole number of at least 1');
  }
  const familiarMs = policy.familiarMs ?? 0;
  if (typeof familiarMs !== 'number' || !Number.isFinite(familiarMs) || familiarMs < 0)
    throw new TypeError('policy.familiarMs must be a finite number of milliseconds, 0 or more');
  return {
    threshold: policy.threshold,
    windowMs: ttlMillis(policy.windowMs, 'policy.windowMs'),
    lockoutMs: ttlMillis(policy.lockoutMs, 'policy.lockoutMs'),
    familiarMs: Math.ceil(familiarMs),
  };
}

/**
 * Checks a point in time given as a Date: a valid one, as epoch milliseconds.
 *
 * @throws {TypeError} for something else than a valid Date.
 *
 * @example
 * ```ts
 * epochMillis(new Date(0), 'now'); // 0
 * ```
 */
export function epochMillis(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`${name} must be a valid Date`);
  return ms;
}

/**
 * Checks a capacity option: a whole number ≥ 1.
 *
 * @example
 * ```ts
 * capacity(undefined, 100_000, 'maxEntries'); // 100000
 * ```
 */
export function capacity(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new TypeError(`${name} must be a whole number of at least 1`);
  return n;
}

/**
 * Checks the arguments every {@link LockoutStore} method shares (`source` a string, `now` a valid
 * Date, `policy` as {@link checkLockoutPolicy}) and gives `now` as epoch milliseconds with the
 * checked policy.
 *
 * @throws {TypeError} when an argument is out of range.
 *
 * @example
 * ```ts
 * const { t, policy: { familiarMs } } = lockoutArgs('192.0.2.1', new Date(), policy);
 * ```
 */
export function lockoutArgs(
  source: string,
  now: Date,
  policy: LockoutPolicy,
): { readonly t: number; readonly policy: Required<LockoutPolicy> } {
  if (typeof source !== 'string') throw new TypeError('source must be a string');
  return { t: epochMillis(now, 'now'), policy: checkLockoutPolicy(policy) };
}

/**
 * The smart-lockout class of a source at `t`: familiar when the user's last success from it
 * (`lastSuccess`, epoch ms, `undefined` for none) lies within `familiarMs`; with `familiarMs` 0
 * (smart lockout off) every source is familiar, so all share one counter.
 *
 * @example
 * ```ts
 * sourceClass(undefined, Date.now(), 14 * 86_400_000); // 'unfamiliar'
 * ```
 */
export function sourceClass(
  lastSuccess: number | undefined,
  t: number,
  familiarMs: number,
): SourceClass {
  if (familiarMs === 0) return 'familiar';
  return lastSuccess !== undefined && t - lastSuccess < familiarMs ? 'familiar' : 'unfamiliar';
}

/** Control, line and paragraph separator characters, refused in names and URLs an operator gives. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
