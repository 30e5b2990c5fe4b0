/**
 * `psso-wstrust psso key-request --config FILE --username U [--keys FILE] [--json]` and
 * `psso-wstrust psso key-exchange --config FILE [--keys FILE] [--show-key] [--json]`: the Platform
 * SSO 2.0 key request and key exchange (`user_unlock`, docs/PLATFORM-SSO.md §3.11), with the refresh
 * token of the last `psso login` (session.json beside the keys). The key request's certificate
 * and key_context are kept beside the keys in `unlock-key.json` (mode 0600); the key exchange
 * uses them, recomputes the exchanged key itself and prints whether it matched. The key is never
 * printed unless `--show-key`; the key_context (sealed key material) never.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { LoginError } from 'psso-wstrust';
import { x963 } from 'psso-wstrust/jose';
import type { KeyFlowStep } from 'psso-wstrust/psso';
import { keyResponseCertificate } from 'psso-wstrust/psso';
import { commandHttp, withCommandOptions } from '../command-options.js';
import { httpOptions, withHttpOptions } from '../http-options.js';
import { done, printJson } from '../output.js';
import { writePrivateFile } from '../private-file.js';
import { UsageError } from '../usage.js';
import { deviceContext, loadSession, type PssoFlags } from './psso.js';

/** What `psso key-request` keeps. */
interface UnlockKeyFile {
  readonly username: string;
  /** base64url DER, as received. */
  readonly certificate: string;
  readonly keyContext: string;
  readonly iat: number;
  readonly exp: number;
}

const unlockKeyFile = (keys: string) => join(dirname(keys), 'unlock-key.json');

async function loadUnlockKey(keysPath: string): Promise<UnlockKeyFile> {
  let v: Partial<UnlockKeyFile> | null;
  try {
    v = JSON.parse(await readFile(unlockKeyFile(keysPath), 'utf8')) as Partial<UnlockKeyFile>;
  } catch {
    throw new UsageError('no unlock key: run psso key-request first');
  }
  if (
    typeof v?.username !== 'string' ||
    typeof v.certificate !== 'string' ||
    typeof v.keyContext !== 'string'
  )
    throw new UsageError('unlock-key.json is incomplete: run psso key-request again');
  return v as UnlockKeyFile;
}

function stepPrinter(json: boolean): (s: KeyFlowStep) => void {
  return (s) => {
    if (!json) done(`${s.step.padEnd(17)} ${String(s.ms).padStart(7)} ms  ${s.detail}`);
  };
}

function command(psso: Command, name: string, description: string): Command {
  return withHttpOptions(
    withCommandOptions(psso.command(name))
      .description(description)
      .requiredOption('--config <file>', 'the login configuration (JSON)')
      .option('--keys <file>', 'the device key file (session.json and unlock-key.json beside it)')
      .option('--json', 'print a machine-readable result (secrets redacted)'),
  );
}

/**
 * Registers `psso key-request`.
 *
 * @example
 * ```ts
 * registerKeyRequest(program.command('psso'));
 * ```
 */
export function registerKeyRequest(psso: Command): void {
  command(psso, 'key-request', 'Platform SSO 2.0 key request (user_unlock): get a certificate')
    .requiredOption('--username <username>', 'the user name of the last psso login')
    .action(async (flags: PssoFlags & { username: string }) => {
      const { config, keysPath, keys } = await deviceContext(flags);
      const refreshToken = await loadSession(keysPath);
      const { pssoKeyRequest } = await import('psso-wstrust/psso');
      const { http, dispose } = commandHttp(httpOptions(flags), flags);
      const r = await pssoKeyRequest({
        config,
        keys,
        username: flags.username,
        refreshToken,
        http,
        onStep: stepPrinter(flags.json === true),
      }).finally(dispose);
      const file = unlockKeyFile(keysPath);
      const saved: UnlockKeyFile = {
        username: flags.username,
        certificate: r.certificateDer.toString('base64url'),
        keyContext: r.keyContext,
        iat: r.iat,
        exp: r.exp,
      };
      await writePrivateFile(file, JSON.stringify(saved));
      const summary = {
        username: flags.username,
        certificate: {
          subject: r.certificate.subject,
          validTo: r.certificate.validTo,
          fingerprint256: r.certificate.fingerprint256,
          publicKey: x963(r.certificate.publicKey).toString('base64'),
        },
        keyContext: '[redacted]',
        file,
        steps: r.steps,
      };
      if (flags.json === true) printJson(summary);
      else done(`certificate for ${r.certificate.subject} (EC P-256) saved to ${file}`);
    });
}

/**
 * Registers `psso key-exchange`.
 *
 * @example
 * ```ts
 * registerKeyExchange(program.command('psso'));
 * ```
 */
export function registerKeyExchange(psso: Command): void {
  command(psso, 'key-exchange', 'Platform SSO 2.0 key exchange with the stored unlock key')
    .option('--show-key', 'print the exchanged key (standard base64)')
    .action(async (flags: PssoFlags & { showKey?: boolean }) => {
      const { config, keysPath, keys } = await deviceContext(flags);
      const refreshToken = await loadSession(keysPath);
      const unlock = await loadUnlockKey(keysPath);
      const { cert } = keyResponseCertificate(unlock.certificate);
      const { pssoKeyExchange } = await import('psso-wstrust/psso');
      const { http, dispose } = commandHttp(httpOptions(flags), flags);
      const json = flags.json === true;
      let verified = false;
      let key: Buffer | undefined;
      let steps: readonly KeyFlowStep[] = [];
      try {
        const r = await pssoKeyExchange({
          config,
          keys,
          username: unlock.username,
          refreshToken,
          certificate: cert,
          keyContext: unlock.keyContext,
          http,
          onStep: stepPrinter(json),
        });
        verified = r.verified;
        key = r.key;
        steps = r.steps;
      } catch (e) {
        // A key that is not ECDH(other key, certificate key) is the one "no" answer; anything
        // else is an error with its code.
        if (!(e instanceof LoginError && e.code === 'PSSO_ERR_KEY_RESPONSE_KEY_MISMATCH')) throw e;
      } finally {
        dispose();
      }
      const shown =
        flags.showKey === true && key !== undefined ? key.toString('base64') : undefined;
      if (json)
        printJson({
          username: unlock.username,
          verified,
          key: shown ?? '[redacted]',
          steps,
        });
      else {
        process.stdout.write(`verified: ${verified ? 'yes' : 'no'}\n`);
        if (shown !== undefined) process.stdout.write(`key: ${shown}\n`);
      }
      if (!verified) process.exitCode = 1;
    });
}
