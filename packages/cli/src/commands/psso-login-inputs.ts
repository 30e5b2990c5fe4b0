/**
 * What `psso login` reads besides the configuration, by `authenticationMethod` (docs/PLATFORM-SSO.md
 * §3.9): the password (prompt or stdin) for `password` only; the SmartCard files
 * (`--smartcard-key`, `--smartcard-cert`) for `smartCard`; nothing for `userSecureEnclaveKey`
 * (the user key is in the device key file).
 *
 * @module
 */
import type { ResolvedLoginConfiguration } from 'psso-wstrust/psso';
import { authenticationMethodOf, loadSmartCard, type SmartCardCredential } from 'psso-wstrust/psso';
import { UsageError } from '../usage.js';

/** The `psso login` flags read here. */
export interface LoginFlags {
  username: string;
  passwordStdin?: boolean;
  smartcardKey?: string;
  smartcardCert?: string;
}

/**
 * The password or SmartCard of a login, by the configured method.
 *
 * @throws {UsageError} when the SmartCard files are missing for `smartCard`, or given otherwise.
 * @example
 * ```ts
 * const credential = await loginInputs(config, flags, readPassword);
 * await pssoLogin({ config, username, keys, ...credential });
 * ```
 */
export async function loginInputs(
  config: ResolvedLoginConfiguration,
  flags: LoginFlags,
  readPassword: (fromStdin: boolean) => Promise<string>,
): Promise<{ password: string } | { smartCard: SmartCardCredential } | Record<string, never>> {
  const method = authenticationMethodOf(config);
  const card = flags.smartcardKey !== undefined || flags.smartcardCert !== undefined;
  if (method !== 'smartCard' && card)
    throw new UsageError(
      '--smartcard-key and --smartcard-cert need authenticationMethod smartCard',
    );
  if (method === 'password') return { password: await readPassword(flags.passwordStdin === true) };
  if (method === 'userSecureEnclaveKey') return {};
  if (flags.smartcardKey === undefined || flags.smartcardCert === undefined)
    throw new UsageError(
      'authenticationMethod smartCard needs --smartcard-key FILE and --smartcard-cert FILE',
    );
  return { smartCard: await loadSmartCard(flags.smartcardKey, flags.smartcardCert) };
}
