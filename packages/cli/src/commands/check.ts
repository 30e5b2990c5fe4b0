/**
 * `psso-wstrust check (--mex URL | --realm-url URL | --config FILE) --urn URN --username U
 * [--password-stdin] [--ca FILE] [--signing-cert FILE]... [--profile macos|wss11] [--json]
 * [--timeout MS] [--deadline MS] [--html FILE] [--trace FILE [--trace-secrets]]` and
 * `psso-wstrust check --from-trace FILE [--urn URN] [--signing-cert FILE]...`: runs what macOS runs
 * (or reads a saved trace) and grades every rule. Exit 0 when no rule fails (warnings allowed), 1
 * when one fails, 2 for a usage error.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { type CheckReport, redact, redactRule, renderText, reportFails } from 'psso-wstrust/check';
import {
  addCheckOutputOptions,
  type CheckOutputFlags,
  loadTrace,
  writeCheckOutputs,
} from '../check-outputs.js';
import { out as colors } from '../colors.js';
import { type HttpFlags, httpOptions, withHttpOptions } from '../http-options.js';
import { readPassword } from '../io.js';
import { EXIT, printJson, progress } from '../output.js';
import { UsageError } from '../usage.js';

interface CheckFlags extends HttpFlags, CheckOutputFlags {
  mex?: string;
  realmUrl?: string;
  config?: string;
  keys?: string;
  smartcardKey?: string;
  smartcardCert?: string;
  urn?: string;
  username?: string;
  passwordStdin?: boolean;
  signingCert: string[];
  profile: 'macos' | 'wss11';
  json?: boolean;
  deadline?: string;
}

/**
 * Registers `check`.
 *
 * @example
 * ```ts
 * registerCheck(program);
 * ```
 */
export function registerCheck(program: Command): Command {
  const command = withHttpOptions(
    program
      .command('check')
      .description(
        'run what macOS runs against an IdP and grade every rule: why a federated login fails, and how to fix it',
      )
      .option('--mex <url>', 'the MEX URL (federationMEXURL)')
      .option('--realm-url <url>', 'instead of --mex: a user-realm URL (user= is appended)')
      .option('--config <file>', 'instead of --mex: a Platform SSO login configuration (JSON)')
      .option('--keys <file>', 'with --config: the device keys registered at the IdP')
      .option(
        '--smartcard-key <file>',
        'with --config: a SmartCard key (PEM) for the smartCard method',
      )
      .option(
        '--smartcard-cert <file>',
        'with --smartcard-key: its certificate chain (PEM, leaf first)',
      )
      .option('--urn <urn>', 'AppliesTo: the federationRequestURN (default: the --config one)')
      .option('--username <username>', 'the user name (required unless --from-trace)')
      .option('--password-stdin', 'read the password from stdin (else a prompt on the terminal)')
      .option(
        '--signing-cert <file>',
        'a token-signing certificate (PEM) the assertion must verify against (repeatable)',
        (v: string, list: string[]) => [...list, v],
        [] as string[],
      )
      .addOption(
        new Option('--profile <profile>', 'request profile')
          .choices(['macos', 'wss11'])
          .default('macos'),
      )
      .option('--deadline <ms>', 'bound the whole check, in milliseconds')
      .option('--json', 'print the report as JSON (schema/check-report.v1.json)'),
  );
  return addCheckOutputOptions(command).action(async (flags: CheckFlags) => {
    if (flags.fromTrace !== undefined) return judgeTrace(flags, flags.fromTrace);
    const targets = [flags.mex, flags.realmUrl, flags.config].filter((t) => t !== undefined);
    if (targets.length !== 1)
      throw new UsageError('give exactly one of --mex, --realm-url, --config and --from-trace');
    if (flags.username === undefined) throw new UsageError('--username is required');
    if (flags.config === undefined && flags.urn === undefined)
      throw new UsageError('--urn is required');
    if (flags.config === undefined && flags.keys !== undefined)
      throw new UsageError('--keys goes with --config');
    const deadlineMs = flags.deadline === undefined ? undefined : Number(flags.deadline);
    if (deadlineMs !== undefined && (!Number.isInteger(deadlineMs) || deadlineMs <= 0))
      throw new UsageError('--deadline must be a positive integer');
    const http = httpOptions(flags);
    const signingCertificates = flags.signingCert.map(readPem);
    const json = flags.json === true;
    let config: import('psso-wstrust/psso').ResolvedLoginConfiguration | undefined;
    let keys: import('psso-wstrust/psso').DeviceKeys | undefined;
    if (flags.config !== undefined) {
      const { loadLoginConfiguration } = await import('psso-wstrust/psso');
      const { resolveLoginConfiguration } = await import('psso-wstrust/psso');
      config = resolveLoginConfiguration(
        await loadLoginConfiguration(
          flags.config,
          flags.dangerouslyAllowHttpLoopback === true ? { dangerouslyAllowHttpLoopback: true } : {},
        ),
      );
      if (flags.keys === undefined)
        throw new UsageError('--config needs --keys FILE (the registered device keys)');
      const { loadDeviceKeys } = await import('psso-wstrust/psso');
      keys = await loadDeviceKeys(flags.keys);
      if (keys === undefined) throw new UsageError(`no device keys in ${flags.keys}`);
    }
    if ((flags.smartcardKey === undefined) !== (flags.smartcardCert === undefined))
      throw new UsageError('--smartcard-key and --smartcard-cert go together');
    const smartCard =
      flags.smartcardKey === undefined || flags.smartcardCert === undefined
        ? undefined
        : await (await import('psso-wstrust/psso')).loadSmartCard(
            flags.smartcardKey,
            flags.smartcardCert,
          );
    const password = await readPassword(flags.passwordStdin === true);
    const { runCheck } = await import('psso-wstrust/check');
    // A trace that keeps secrets needs the exchanges unredacted; everything printed is redacted.
    const keepSecrets = flags.traceSecrets === true;
    const { report } = await runCheck({
      redact: !keepSecrets,
      ...(flags.mex === undefined ? {} : { mexUrl: flags.mex }),
      ...(flags.realmUrl === undefined ? {} : { realmUrl: flags.realmUrl }),
      ...(config === undefined ? {} : { config }),
      ...(keys === undefined ? {} : { keys }),
      ...(smartCard === undefined ? {} : { methodInputs: { smartCard } }),
      ...(flags.config === undefined ? {} : { configFile: flags.config }),
      ...(flags.urn === undefined ? {} : { urn: flags.urn }),
      username: flags.username,
      password,
      profile: flags.profile,
      signingCertificates,
      http,
      ...(deadlineMs === undefined ? {} : { deadlineMs }),
      ...(process.stderr.isTTY === true ? { onProgress: progress } : {}),
    });
    const secrets = { secrets: [password] };
    await writeCheckOutputs(report, flags, secrets);
    printReport(keepSecrets ? redactReport(report, secrets) : report, json);
    process.exitCode = reportFails(report) ? EXIT.failed : EXIT.ok;
  });
}

/** `--from-trace`: grades a saved trace again, offline (no request is made). */
async function judgeTrace(flags: CheckFlags, file: string): Promise<void> {
  if (flags.mex !== undefined || flags.realmUrl !== undefined || flags.config !== undefined)
    throw new UsageError(
      '--from-trace judges a saved trace: it takes no --mex, --realm-url or --config',
    );
  if (flags.traceSecrets === true)
    throw new UsageError('--trace-secrets needs the secrets, which a saved trace may not hold');
  const started = new Date();
  const trace = await loadTrace(file);
  const urn = flags.urn ?? trace.target?.urn;
  if (urn === undefined) throw new UsageError('this trace names no URN: pass --urn');
  const [{ buildReport, grade }, { rawFromRecorded }] = await Promise.all([
    import('psso-wstrust/check'),
    import('psso-wstrust/check'),
  ]);
  const graded = grade({
    exchanges: trace.exchanges.map(rawFromRecorded),
    urn,
    signingCertificates: flags.signingCert.map(readPem),
  });
  const report = buildReport({
    graded,
    exchanges: trace.exchanges,
    target: {
      ...trace.target,
      urn,
      username: flags.username ?? trace.target?.username ?? '',
      profile: trace.target?.profile ?? flags.profile,
    },
    startedAt: started,
    durationMs: Date.now() - started.getTime(),
    version: '0.1.0',
  });
  await writeCheckOutputs(report, flags);
  printReport(report, flags.json === true);
  process.exitCode = reportFails(report) ? EXIT.failed : EXIT.ok;
}

/** The report with every exchange and rule text redacted. */
function redactReport(report: CheckReport, o: { secrets: string[] }): CheckReport {
  return {
    ...report,
    rules: report.rules.map((r) => redactRule(r, o)),
    exchanges: report.exchanges.map((x) => (x.redacted ? x : redact(x, o))),
  };
}

/** Prints the report: JSON, or the terminal view. */
function printReport(report: CheckReport, json: boolean): void {
  if (json) printJson(report);
  else process.stdout.write(renderText(report, colors));
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the certificate file ${path}`);
  }
}
