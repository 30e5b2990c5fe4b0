/**
 * `psso-wstrust login --mex URL --urn URN --username U [--password-stdin] [--ca FILE] [--json]`:
 * the whole WS-Trust exchange, each step printed as it goes.
 *
 * @module
 */
import { type Command, Option } from 'commander';
import type { RequestProfile, WsTrustLoginEvent } from 'psso-wstrust';
import { WSTRUST13, WSTRUST2005 } from 'psso-wstrust';
import { inspectAssertion } from 'psso-wstrust/saml';
import { type CliWarning, printWarnings, signatureWarnings } from '../assertion-view.js';
import { type CommandFlags, commandHttp, withCommandOptions } from '../command-options.js';
import { type HttpFlags, httpOptions, withHttpOptions } from '../http-options.js';
import { readCertificates, readPassword } from '../io.js';
import { done, printJson, progress, warn } from '../output.js';
import { UsageError } from '../usage.js';
import { printToken, tokenJson } from './rstr.js';

interface LoginFlags extends HttpFlags, CommandFlags {
  mex?: string;
  endpoint?: string;
  version?: '1.3' | '2005';
  urn: string;
  username: string;
  passwordStdin?: boolean;
  profile: RequestProfile;
  json?: boolean;
  signingCert?: string[];
  allowSha1?: boolean;
}

export function registerLogin(program: Command): void {
  withHttpOptions(
    withCommandOptions(program.command('login'))
      .description('run the WS-Trust login: MEX, RequestSecurityToken, validated SAML assertion')
      .option('--mex <url>', 'the MEX URL (federationMEXURL)')
      .option('--endpoint <url>', 'instead of --mex: a known WS-Trust endpoint (with --version)')
      .addOption(
        new Option('--version <version>', 'the --endpoint WS-Trust version').choices([
          '1.3',
          '2005',
        ]),
      )
      .requiredOption('--urn <urn>', 'AppliesTo: the federationRequestURN')
      .requiredOption('--username <username>', 'the user name')
      .option('--password-stdin', 'read the password from stdin (else a prompt on the terminal)')
      .option(
        '--signing-cert <file>',
        'also verify the assertion signature against this token-signing certificate (PEM; repeatable)',
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      )
      .option('--allow-sha1', 'with --signing-cert: accept an RSA-SHA1 signature (with a warning)')
      .addOption(
        new Option('--profile <profile>', 'request profile')
          .choices(['macos', 'wss11'])
          .default('macos'),
      )
      .option('--json', 'print {"endpoint", "token", "steps", "warnings"} as JSON'),
  ).action(async (flags: LoginFlags) => {
    if ((flags.mex === undefined) === (flags.endpoint === undefined)) {
      throw new UsageError('give exactly one of --mex and --endpoint');
    }
    if (flags.endpoint !== undefined && flags.version === undefined) {
      throw new UsageError('--endpoint needs --version 1.3|2005');
    }
    const json = flags.json === true;
    const certs = await readCertificates(flags.signingCert ?? []);
    const password = await readPassword(flags.passwordStdin === true);
    // Started once the password is read: the deadline bounds the network, not the typing.
    const { http, dispose } = commandHttp(httpOptions(flags), flags);
    const steps: Array<{ step: string; endpoint?: string; ms: number; outcome: string }> = [];
    const onProgress = (e: WsTrustLoginEvent): void => {
      if (e.phase === 'start') {
        if (!json)
          progress(
            e.step === 'mex'
              ? `GET MEX ${e.url}`
              : `POST RequestSecurityToken (WS-Trust ${e.endpoint.version}) ${e.endpoint.address}`,
          );
      } else if (e.step === 'mex') {
        steps.push({ step: 'mex', ms: round(e.ms), outcome: 'ok' });
        if (!json)
          done(
            `MEX: ${e.metadata.usernamePassword.length} username/password endpoint(s) (${round(e.ms)} ms)`,
          );
      } else if (e.phase === 'done') {
        steps.push({
          step: 'wstrust',
          endpoint: e.endpoint.address,
          ms: round(e.ms),
          outcome: 'ok',
        });
        if (!json) done(`WS-Trust ${e.endpoint.version}: response validated (${round(e.ms)} ms)`);
      } else {
        steps.push({
          step: 'wstrust',
          endpoint: e.endpoint.address,
          ms: round(e.ms),
          outcome: e.error.code,
        });
        if (!json)
          warn(
            `WS-Trust ${e.endpoint.version} failed: ${e.error.code}${'reason' in e.error && typeof e.error.reason === 'string' ? ` (${e.error.reason})` : ''}${e.fallback ? '; trying the 2005 endpoint' : ''}`,
          );
      }
    };
    const { wsTrustLogin } = await import('psso-wstrust');
    const result = await wsTrustLogin({
      ...(flags.mex !== undefined
        ? { mexUrl: flags.mex }
        : { endpoint: knownEndpoint(flags.endpoint as string, flags.version ?? '1.3') }),
      federationRequestURN: flags.urn,
      username: flags.username,
      password,
      profile: flags.profile,
      http,
      onProgress,
      ...(certs.length === 0 ? {} : { trustedSigningCertificates: certs }),
      ...(flags.allowSha1 === true ? { allowSha1: true } : {}),
    }).finally(dispose);
    const warnings = assertionWarnings(result.token.assertion, certs.length > 0);
    printWarnings(warnings); // on stderr, with --json too: stdout stays one JSON document
    if (json) {
      printJson({ endpoint: result.endpoint, token: tokenJson(result.token), steps, warnings });
      return;
    }
    console.log(`endpoint:   WS-Trust ${result.endpoint.version} ${result.endpoint.address}`);
    printToken(result.token);
  });
}

function knownEndpoint(address: string, version: '1.3' | '2005') {
  return {
    version,
    address,
    soapAction: (version === '1.3' ? WSTRUST13 : WSTRUST2005).issueAction,
  };
}

/**
 * Unsigned or SHA-1 assertions: a warning when no `--signing-cert` judged them (with one, the
 * verification decided, and SHA-1 got through only under `--allow-sha1`: still a warning).
 */
function assertionWarnings(assertion: string, verified: boolean): CliWarning[] {
  try {
    return signatureWarnings(inspectAssertion(assertion), { verified });
  } catch {
    return [
      {
        code: 'PSSO_WARN_SAML_UNREADABLE',
        message:
          'the assertion cannot be read on its own (a namespace declared outside it?): a relying party verifying it alone will refuse it',
      },
    ];
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
