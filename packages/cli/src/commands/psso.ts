/**
 * `psso-wstrust psso login --config FILE --username U [--password-stdin] [--keys FILE] [--json]`
 * and `psso-wstrust psso refresh --config FILE [--keys FILE] [--json]`: the Platform SSO login as
 * macOS runs it, each step shown with its timing; `--json` gives a trace with secrets redacted.
 * The refresh token is kept beside the device keys (mode 0600) for `refresh`. The key file must
 * exist (`psso keys create`, then `idp device add --keys`): a login never makes keys by itself.
 * `psso init` and `psso keys` are in their own files.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { PssoStep } from 'psso-wstrust/psso';
import { loadLoginConfiguration, resolveLoginConfiguration } from 'psso-wstrust/psso';
import { type CommandFlags, commandHttp, withCommandOptions } from '../command-options.js';
import { type HttpFlags, httpOptions, withHttpOptions } from '../http-options.js';
import { readPassword } from '../io.js';
import { done, printJson } from '../output.js';
import { writePrivateFile } from '../private-file.js';
import { UsageError } from '../usage.js';
import { registerPssoInit } from './psso-init.js';
import { registerKeyExchange, registerKeyRequest } from './psso-key-request.js';
import { defaultKeysPath, registerPssoKeys, requireDeviceKeys } from './psso-keys.js';
import { type LoginFlags, loginInputs } from './psso-login-inputs.js';
import { registerPssoUserKey } from './psso-user-key.js';

/** The flags of the psso commands. */
export interface PssoFlags extends HttpFlags, CommandFlags {
  config: string;
  keys?: string;
  json?: boolean;
}

/** The default device key file. */
export const defaultKeys = defaultKeysPath;
const sessionFile = (keys: string) => join(dirname(keys), 'session.json');

/** The resolved login configuration of `--config`. */
export async function loadConfig(path: string, flags: HttpFlags) {
  return resolveLoginConfiguration(
    await loadLoginConfiguration(
      path,
      flags.dangerouslyAllowHttpLoopback === true ? { dangerouslyAllowHttpLoopback: true } : {},
    ),
  );
}

/**
 * The configuration and the device keys a login, refresh or key request runs with.
 *
 * @example
 * ```ts
 * const { config, keysPath, keys } = await deviceContext(flags);
 * ```
 */
export async function deviceContext(flags: PssoFlags) {
  const config = await loadConfig(flags.config, flags);
  const keysPath = flags.keys ?? defaultKeys();
  return { config, keysPath, keys: await requireDeviceKeys(keysPath) };
}

/** Keeps the refresh token beside the device keys, owner-readable only (0600 on every write). */
async function saveSession(keysPath: string, refreshToken: string): Promise<void> {
  await writePrivateFile(sessionFile(keysPath), JSON.stringify({ refreshToken }));
}

/**
 * The refresh token of the last login (session.json beside the keys).
 *
 * @example
 * ```ts
 * const refreshToken = await loadSession(keysPath);
 * ```
 */
export async function loadSession(keysPath: string): Promise<string> {
  let session: unknown;
  try {
    session = JSON.parse(await readFile(sessionFile(keysPath), 'utf8'));
  } catch {
    throw new UsageError('no session: run psso login first');
  }
  const token = (session as { refreshToken?: unknown } | null)?.refreshToken;
  if (typeof token !== 'string' || token === '' || token.length > 4096) {
    throw new UsageError('the session file holds no refresh token: run psso login again');
  }
  return token;
}

function stepPrinter(json: boolean): (s: PssoStep) => void {
  return (s) => {
    if (!json) done(`${s.step.padEnd(17)} ${String(s.ms).padStart(7)} ms  ${s.detail}`);
  };
}

/** Registers `psso login` and `psso refresh`. */
export function registerPsso(program: Command): void {
  const psso = program
    .command('psso')
    .description(
      'the Platform SSO login flow (nonce, preauthentication, WS-Trust, login JWT, token)',
    );
  registerPssoKeys(psso);
  registerPssoInit(psso);
  withHttpOptions(
    withCommandOptions(psso.command('login'))
      .description('log in with a login configuration file')
      .requiredOption('--config <file>', 'the login configuration (JSON)')
      .requiredOption('--username <username>', 'the user name')
      .option('--password-stdin', 'read the password from stdin (else a prompt on the terminal)')
      .option('--smartcard-key <file>', 'smartCard method: the card key (PEM)')
      .option(
        '--smartcard-cert <file>',
        'smartCard method: its certificate chain (PEM, leaf first)',
      )
      .option('--keys <file>', 'the device key file (psso keys create)', defaultKeys())
      .option('--json', 'print a machine-readable trace (secrets redacted)'),
  ).action(async (flags: PssoFlags & LoginFlags) => {
    const { config, keysPath, keys } = await deviceContext(flags);
    // Only the password method asks for a password (§3.9: a key login has none).
    const credential = await loginInputs(config, flags, readPassword);
    const { pssoLogin } = await import('psso-wstrust/psso');
    const { http, dispose } = commandHttp(httpOptions(flags), flags);
    const r = await pssoLogin({
      config,
      username: flags.username,
      ...credential,
      keys,
      http,
      onStep: stepPrinter(flags.json === true),
    }).finally(dispose);
    await saveSession(keysPath, r.response.refreshToken);
    const summary = {
      federated: r.federated,
      sub: r.idTokenClaims.sub,
      steps: r.steps,
      idToken: '[redacted]',
      refreshToken: '[redacted]',
      refreshTokenExpiresIn: r.response.refreshTokenExpiresIn,
    };
    if (flags.json === true) printJson(summary);
    else
      done(
        `logged in as ${String(r.idTokenClaims.sub)}${r.federated ? ' (federated)' : ''}; device kid ${keys.signing.kid}`,
      );
  });
  withHttpOptions(
    withCommandOptions(psso.command('refresh'))
      .description('refresh with the refresh token of the last login')
      .requiredOption('--config <file>', 'the login configuration (JSON)')
      .option('--keys <file>', 'the device key file', defaultKeys())
      .option('--json', 'print a machine-readable trace (secrets redacted)'),
  ).action(async (flags: PssoFlags) => {
    const { config, keysPath, keys } = await deviceContext(flags);
    const refreshToken = await loadSession(keysPath);
    const { pssoRefresh } = await import('psso-wstrust/psso');
    const { http, dispose } = commandHttp(httpOptions(flags), flags);
    const r = await pssoRefresh({
      config,
      keys,
      refreshToken,
      http,
      onStep: stepPrinter(flags.json === true),
    }).finally(dispose);
    await saveSession(keysPath, r.response.refreshToken);
    if (flags.json === true)
      printJson({
        sub: r.idTokenClaims.sub,
        steps: r.steps,
        idToken: '[redacted]',
        refreshToken: '[redacted]',
      });
    else done(`refreshed for ${String(r.idTokenClaims.sub)}`);
  });
  registerPssoUserKey(psso);
  registerKeyRequest(psso);
  registerKeyExchange(psso);
}
