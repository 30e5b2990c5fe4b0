/**
 * What a state contract runs against: a fixture that makes fresh, empty state on one backend
 * (SQLite in a temporary data folder; PostgreSQL in a fresh database; either with Redis), opened
 * through `openIdpState` as the IdP opens it.
 */
import type { OpenIdpStateOptions } from '../../../../packages/idp/src/state/open.ts';
import { openIdpState } from '../../../../packages/idp/src/state/open.ts';
import type { IdpState } from '../../../../packages/idp/src/state/types.ts';

/** Options of `openIdpState` beyond where the state lives. */
export type StateExtras = Omit<OpenIdpStateOptions, 'dataDir' | 'database' | 'redisUrl'>;

export interface StateFixture {
  /** The backend, for test names. */
  readonly name: string;
  /** Where a fresh, empty state lives (each call a new one); open it as often as needed. */
  fresh(): Promise<OpenIdpStateOptions>;
}

/**
 * Opens the state at `where`, runs `fn`, closes it.
 *
 * @example
 * ```ts
 * await withState(await fx.fresh(), async (s) => s.users.add(upn, pw));
 * ```
 */
export async function withState<T>(
  where: OpenIdpStateOptions,
  fn: (state: IdpState) => Promise<T>,
  extras: StateExtras = {},
): Promise<T> {
  const state = await openIdpState({ ...where, ...extras });
  try {
    return await fn(state);
  } finally {
    await state.close();
  }
}
