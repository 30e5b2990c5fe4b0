/**
 * `psso-wstrust idp user add|passwd|remove|list|unlock`: manages the reference IdP's users in its
 * data folder. Passwords are read from stdin only (`--password-stdin`) and never printed.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { IdpError } from 'psso-wstrust';
import type { StoredUser } from 'psso-wstrust-idp/admin';
import { requireUpn, validateUpn } from 'psso-wstrust-idp/admin';
import { out as pc } from '../colors.js';
import { type StateFlags, stateOptions, withIdpState } from '../idp-state.js';
import { readStdinLine } from '../io.js';
import { done, printJson } from '../output.js';
import { UsageError } from '../usage.js';

type DataFlags = StateFlags;

/**
 * Adds `user add NAME --password-stdin`, `user passwd NAME --password-stdin`, `user remove NAME`,
 * `user list` and `user unlock NAME [--redis URL]` (each with `[--data DIR | --database URL]
 * [--json]`) under the
 * `idp` command. Errors are thrown for the program's `reportError`: a taken or unknown UPN exits 1,
 * bad arguments (a name that is not a UPN `local@domain`) exit 2.
 *
 * @example
 * ```ts
 * const idp = program.command('idp').description('run the reference identity provider');
 * registerIdpUser(idp);
 * // printf %s "$PASSWORD" | psso-wstrust idp user add alice@example.com --password-stdin
 * ```
 */
export function registerIdpUser(idp: Command): void {
  const user = idp.command('user').description("manage the reference IdP's users");

  stateOptions(
    user
      .command('add')
      .description('add a user; the password is read from stdin')
      .argument('<upn>', 'the user principal name, e.g. alice@example.com')
      .option('--password-stdin', 'read the password from stdin (one trailing newline removed)'),
  )
    .option('--json', 'print the new user as JSON')
    .action(async (upn: string, flags: DataFlags & { passwordStdin?: boolean }) => {
      if (flags.passwordStdin !== true)
        throw new UsageError(
          'the password is read from stdin only: printf %s "$PASSWORD" | … --password-stdin',
        );
      requireUpn(upn);
      const password = await readStdinLine();
      if (password === '') throw new UsageError('the password on stdin is empty');
      await withIdpState(flags, {}, async (state, dataDir) => {
        const added = await state.users.add(upn, password);
        const where = flags.database === undefined ? resolve(dataDir) : 'the database';
        if (flags.json === true) printJson({ user: userJson(added) });
        else done(`added ${added.upn} (ImmutableID ${added.immutableId}) in ${where}`);
      });
    });

  stateOptions(
    user
      .command('remove')
      .description('remove a user and its lockout state')
      .argument('<upn>', 'the user principal name (any case)'),
  )
    .option('--json', 'print the result as JSON')
    .action(async (upn: string, flags: DataFlags) => {
      await withIdpState(flags, { mustExist: true }, async (state) => {
        const found = await state.users.get(upn);
        await state.users.remove(upn);
        const name = found?.upn ?? upn;
        if (flags.json === true) printJson({ removed: name });
        else done(`removed ${name}`);
      });
    });

  stateOptions(
    user
      .command('passwd')
      .description(
        "set a user's password (read from stdin) and revoke its Platform SSO refresh tokens",
      )
      .argument('<upn>', 'the user principal name (any case)')
      .option(
        '--password-stdin',
        'read the new password from stdin (one trailing newline removed)',
      ),
  )
    .option('--json', 'print the result as JSON')
    .action(async (upn: string, flags: DataFlags & { passwordStdin?: boolean }) => {
      if (flags.passwordStdin !== true)
        throw new UsageError(
          'the password is read from stdin only: printf %s "$PASSWORD" | … --password-stdin',
        );
      validateUpn(upn);
      const password = await readStdinLine();
      if (password === '') throw new UsageError('the password on stdin is empty');
      await withIdpState(flags, { mustExist: true }, async (state) => {
        const changed = await state.users.setPassword(upn, password);
        if (flags.json === true) printJson({ passwordChanged: changed.upn });
        else done(`set a new password for ${changed.upn}; its refresh tokens are revoked`);
      });
    });

  stateOptions(
    user
      .command('unlock')
      .description('clear every lockout counter, lock and familiar source of a user')
      .argument('<upn>', 'the user principal name (any spelling)'),
  )
    .option(
      '--redis <url>',
      'also clear the lockout state kept in this Redis (IdP processes started with --redis)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (upn: string, flags: DataFlags & { redis?: string }) => {
      await withIdpState(flags, { mustExist: true }, async (state) => {
        const found = await state.users.get(upn);
        if (found === undefined)
          throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'There is no user with this UPN');
        await state.lockout.unlock(found.upn);
        if (flags.redis !== undefined) {
          const { RedisLockoutStore } = await import('psso-wstrust-idp/admin');
          const redis = new RedisLockoutStore(flags.redis);
          try {
            await redis.ready(5000);
            await redis.unlock(found.upn);
          } finally {
            await redis.close();
          }
        }
        if (flags.json === true) printJson({ unlocked: found.upn });
        else done(`unlocked ${found.upn}`);
      });
    });

  stateOptions(user.command('list').description('list the users'))
    .option('--json', 'print the users as JSON')
    .action(async (flags: DataFlags) => {
      await withIdpState(flags, { mustExist: true }, async (state) => {
        const users = await state.users.list();
        if (flags.json === true) printJson({ users: users.map(userJson) });
        else printUsers(users);
      });
    });
}

function userJson(user: StoredUser): Record<string, string> {
  return { upn: user.upn, immutableId: user.immutableId, createdAt: user.createdAt };
}

function printUsers(users: readonly StoredUser[]): void {
  if (users.length === 0) {
    process.stderr.write('no users\n');
    return;
  }
  const width = Math.max(3, ...users.map((u) => u.upn.length));
  console.log(pc.bold(`${'UPN'.padEnd(width)}  ${'ImmutableID'.padEnd(24)}  created`));
  for (const u of users) console.log(`${u.upn.padEnd(width)}  ${u.immutableId}  ${u.createdAt}`);
}
