/** The IdP's one password check over a user store, for tests that assemble routes by hand. */
import { FairQueue } from '../../packages/idp/src/auth/fair-queue.ts';
import {
  PasswordCheck,
  type PasswordCheckDeps,
} from '../../packages/idp/src/auth/password-check.ts';
import { MemoryLockoutStore } from '../../packages/idp/src/state/memory/lockout.ts';
import type { LockoutStore, UserStore } from '../../packages/idp/src/state/types.ts';
import { CredentialCache } from '../../packages/idp/src/sts/credential-cache.ts';

/** A {@link PasswordCheck} over `users` (the IdP's default lockout policy, no credential cache). */
export function storePasswordCheck(
  users: UserStore,
  o: {
    readonly lockout?: LockoutStore;
    readonly verify?: PasswordCheckDeps['verify'];
    readonly clock?: () => Date;
  } = {},
): PasswordCheck {
  return new PasswordCheck({
    verify: o.verify ?? ((upn, password) => users.verify(upn, password)),
    burn: (password) => users.burnPasswordCheck(password),
    lockout: o.lockout ?? new MemoryLockoutStore(),
    credentials: new CredentialCache(0),
    queue: new FairQueue(),
    policy: { threshold: 5, windowMs: 600_000, lockoutMs: 1_800_000, familiarMs: 14 * 86_400_000 },
    clock: o.clock ?? (() => new Date()),
  });
}
