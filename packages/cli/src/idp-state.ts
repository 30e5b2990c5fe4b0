/**
 * How the `idp` admin commands (`idp user|device|user key|smartcard-ca …`) reach the IdP's state:
 * the data folder's SQLite database, or the PostgreSQL database given with `--database`, opened
 * for one command and closed after it.
 *
 * @module
 */
import type { Command } from 'commander';
import type { IdpState } from 'psso-wstrust-idp';
import { defaultDataDir, openIdpState } from 'psso-wstrust-idp';
import { UsageError } from './usage.js';

/** The flags every admin command takes. */
export interface StateFlags {
  data?: string;
  database?: string;
  json?: boolean;
}

/**
 * Adds `--data DIR` and `--database URL` to `command`.
 *
 * @example
 * ```ts
 * stateOptions(user.command('list').description('list the users')).action(…);
 * ```
 */
export function stateOptions(command: Command): Command {
  return command
    .option('--data <dir>', `the IdP data folder (default: ${defaultDataDir()})`)
    .option(
      '--database <url>',
      'the IdP’s PostgreSQL database (postgres://…), as given to `idp --database`, instead of the data folder’s SQLite',
    );
}

/**
 * Runs `fn` with the IdP's state opened from the flags, closing it after. `mustExist`: refuse a
 * data folder without a SQLite database (commands that only read or change what is there).
 *
 * @throws {UsageError} for a `--database` that is not a `postgres://` URL.
 * @example
 * ```ts
 * await withIdpState(flags, { mustExist: true }, async (state) => printUsers(await state.users.list()));
 * ```
 */
export async function withIdpState<T>(
  flags: StateFlags,
  options: { readonly mustExist?: boolean },
  fn: (state: IdpState, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = flags.data ?? defaultDataDir();
  let state: IdpState;
  try {
    state = await openIdpState({
      dataDir,
      ...(flags.database === undefined ? {} : { database: flags.database }),
      ...(flags.database === undefined && options.mustExist === true ? { mustExist: true } : {}),
    });
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(`--database: ${e.message}`);
    throw e;
  }
  try {
    return await fn(state, dataDir);
  } finally {
    await state.close();
  }
}
