/**
 * The one password check of the IdP, used by every method that takes a password (the STS's
 * UsernameToken, the Platform SSO token endpoint's `password` grant, and any later one), so they
 * share one lockout and one bounded queue:
 *
 * canonical username → lockout for (user, source) → verified-credential cache → bounded fair queue
 * → scrypt → record the failure (real users only) or the success (the source becomes familiar).
 *
 * A locked account costs the same (one dummy scrypt, through the same queue) and answers the same
 * as a wrong password; only the outcome label (logs, metrics) differs.
 *
 * @module
 */
import type { UserRecord } from '../state/records.js';
import type { LockoutPolicy, LockoutStore } from '../state/types.js';
import type { CredentialCache } from '../sts/credential-cache.js';
import type { FairQueue } from './fair-queue.js';
import { canonicalUsername } from './username.js';

/** What {@link PasswordCheck} needs. */
export interface PasswordCheckDeps {
  /** One real password check (scrypt): the user when the password is theirs; whether they exist. */
  verify(
    username: string,
    password: string,
  ): Promise<{ readonly user: UserRecord | undefined; readonly known: boolean }>;
  /** Costs what `verify` costs, checks nothing: used when the account is locked. */
  burn(password: string): Promise<void>;
  readonly lockout: LockoutStore;
  readonly credentials: CredentialCache;
  readonly queue: FairQueue;
  readonly policy: LockoutPolicy;
  readonly clock: () => Date;
}

/** The outcome of a password check. */
export type PasswordCheckResult =
  | { readonly ok: true; readonly user: UserRecord }
  | {
      readonly ok: false;
      /** For logs and metrics only: on the wire both answer as a wrong password. */
      readonly reason: 'bad-credentials' | 'locked-out';
      /** Whether this failure locked the account (for requests from this source). */
      readonly nowLocked: boolean;
    };

/**
 * Checks passwords for every password-bearing method.
 *
 * @example
 * ```ts
 * const passwords = new PasswordCheck({ verify, burn, lockout, credentials, queue, policy, clock });
 * const r = await passwords.check(username, password, requestSource(req.socket.remoteAddress));
 * if (!r.ok) refuseAsWrongPassword(r.reason);
 * ```
 */
export class PasswordCheck {
  readonly #d: PasswordCheckDeps;

  constructor(deps: PasswordCheckDeps) {
    this.#d = deps;
  }

  /** The lockout policy in force. */
  get policy(): LockoutPolicy {
    return this.#d.policy;
  }

  /**
   * Checks `password` for `username`, as seen from `source` (a {@link requestSource}).
   * `beforeSuccess`, when given, runs once the password is known to be right and before the
   * success is recorded: the STS records the UsernameToken Nonce there, so a replayed capture
   * (refused by the hook) neither resets the failure count nor marks its source familiar.
   *
   * @throws {IdpBusyError} `PSSO_ERR_IDP_BUSY` when the queue is full (answer "busy", not "wrong").
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` or `PSSO_ERR_IDP_REPLAY_CACHE_FULL` when
   *   the lockout store fails (fail closed, as a server error).
   * @example
   * ```ts
   * const r = await passwords.check('Alice@Example.com', 'pw', '192.0.2.1');
   * ```
   */
  async check(
    username: string,
    password: string,
    source: string,
    beforeSuccess?: () => Promise<void>,
  ): Promise<PasswordCheckResult> {
    const d = this.#d;
    const name = canonicalUsername(username);
    const now = d.clock();
    if (await d.lockout.isLocked(name, source, now, d.policy)) {
      // Same cost, through the same queue, as a wrong password.
      await d.queue.run(source, () => d.burn(password));
      return { ok: false, reason: 'locked-out', nowLocked: true };
    }
    const cached = d.credentials.get(name, password, now.getTime());
    if (cached !== undefined) {
      await beforeSuccess?.();
      return { ok: true, user: cached };
    }
    const { user, known } = await d.queue.run(source, () => d.verify(username, password));
    const after = d.clock();
    if (user === undefined) {
      // Unknown users get no lockout state: an unauthenticated request creates none for a name
      // that does not exist (the answer and cost are the same either way).
      const nowLocked = known
        ? await d.lockout.recordFailure(name, source, after, d.policy)
        : false;
      return { ok: false, reason: 'bad-credentials', nowLocked };
    }
    await beforeSuccess?.();
    await d.lockout.recordSuccess(name, source, after, d.policy);
    d.credentials.set(name, password, user, after.getTime());
    return { ok: true, user };
  }
}
