/**
 * `psso-wstrust psso user-key register --config FILE [--keys FILE] [--replace] [--json]`: adds a
 * user Secure Enclave key (a software P-256 stand-in, docs/PLATFORM-SSO.md §3.9) to the device key file
 * when it has none, and registers it at the IdP's `POST /psso/user-keys` with the refresh token of
 * the last `psso login` (kept in `session.json` beside the keys).
 *
 * @module
 */
import type { Command } from 'commander';
import { addUserSecureEnclaveKey, registerUserKey } from 'psso-wstrust/psso';
import { type CommandFlags, commandHttp, withCommandOptions } from '../command-options.js';
import { type HttpFlags, httpOptions, withHttpOptions } from '../http-options.js';
import { done, printJson } from '../output.js';
import { defaultKeys, loadConfig, loadSession } from './psso.js';

interface UserKeyFlags extends HttpFlags, CommandFlags {
  config: string;
  keys: string;
  replace?: boolean;
  endpoint?: string;
  json?: boolean;
}

/**
 * Adds `user-key register` under `psso`.
 *
 * @example
 * ```ts
 * registerPssoUserKey(pssoCommand);
 * // psso-wstrust psso user-key register --config psso.json --keys device-keys.json
 * ```
 */
export function registerPssoUserKey(psso: Command): void {
  const userKey = psso
    .command('user-key')
    .description("the user's Secure Enclave key (software stand-in in the device key file)");
  withHttpOptions(
    withCommandOptions(userKey.command('register'))
      .description('add a user key to the key file (if none) and register it at the IdP')
      .requiredOption('--config <file>', 'the login configuration (JSON)')
      .option('--keys <file>', 'the device key file (must exist: log in first)', defaultKeys())
      .option('--replace', 'replace the user key already in the key file')
      .option(
        '--endpoint <url>',
        'the registration endpoint (default: user-keys beside the token endpoint)',
      )
      .option('--json', 'print the result as JSON'),
  ).action(async (flags: UserKeyFlags) => {
    const config = await loadConfig(flags.config, flags);
    const refreshToken = await loadSession(flags.keys);
    const keys = await addUserSecureEnclaveKey(
      flags.keys,
      flags.replace === true ? { replace: true } : {},
    );
    const { http, dispose } = commandHttp(httpOptions(flags), flags);
    const r = await registerUserKey({
      config,
      keys,
      refreshToken,
      http,
      ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    }).finally(dispose);
    if (flags.json === true) printJson({ upn: r.upn, kid: r.kid, storage: 'software' });
    else done(`registered user key ${r.kid} for ${r.upn} (software stand-in)`);
  });
}
