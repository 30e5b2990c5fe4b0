/**
 * `psso-wstrust saml FILE|- [--audience URN] [--recipient URL] [--issuer URI]...
 * [--signing-cert FILE]... [--allow-sha1] [--now ISO-8601|auto] [--skew S] [--grant saml1|saml2]
 * [--json]`: decodes a bare SAML assertion (XML, or base64 as sent in a Platform SSO login
 * request, line breaks allowed), shows it, and judges it by every RFC 7522 rule a token endpoint
 * applies. Exit 0 when every rule passes, 1 when one fails or could not be checked (a pass needs
 * `--signing-cert`, `--audience`, and for SAML 2.0 `--recipient`), 2 for usage errors.
 *
 * @module
 */
import { type Command, Option } from 'commander';
import { GRANT_TYPE, SamlError } from 'psso-wstrust';
import { parseDateTime } from 'psso-wstrust/protocol';
import {
  type BearerRuleResult,
  evaluateSamlBearerRules,
  inspectAssertion,
} from 'psso-wstrust/saml';
import { printAssertion, printWarnings, signatureWarnings } from '../assertion-view.js';
import { out as pc } from '../colors.js';
import { readCertificates, readInput } from '../io.js';
import { EXIT, printJson } from '../output.js';
import { UsageError } from '../usage.js';

interface SamlFlags {
  audience?: string;
  recipient?: string;
  issuer?: string[];
  signingCert?: string[];
  allowSha1?: boolean;
  now?: string;
  skew: string;
  grant?: 'saml1' | 'saml2';
  json?: boolean;
}

/** Largest base64 input (as the token endpoint allows) and XML input. */
const MAX_BASE64 = 400_000;
const MAX_XML = 256 * 1024;

export function registerSaml(program: Command): void {
  program
    .command('saml')
    .description('decode a bare SAML assertion (XML or base64) and judge it by the RFC 7522 rules')
    .argument('<file>', 'the assertion (XML, or standard base64 of it), or - for stdin')
    .option('--audience <urn>', 'the Audience the assertion must name (the federation URN)')
    .option('--recipient <url>', 'SAML 2.0: the token endpoint every bearer confirmation must name')
    .option('--issuer <uri>', 'a trusted Issuer (repeatable; default: any)', collect)
    .option(
      '--signing-cert <file>',
      'a token-signing certificate (PEM; repeatable): required for a pass',
      collect,
    )
    .option('--allow-sha1', 'accept an RSA-SHA1 signature (with a warning)')
    .option(
      '--now <iso-8601|auto>',
      "judge as if at this instant; auto: the assertion's IssueInstant",
    )
    .option('--skew <seconds>', 'allowed clock skew in seconds', '120')
    .addOption(
      new Option(
        '--grant <grant>',
        "the grant type (default: the assertion's SAML version)",
      ).choices(['saml1', 'saml2']),
    )
    .option('--json', 'print {"assertion", "rules", "verdict", "warnings"} as JSON')
    .action(async (file: string, flags: SamlFlags) => {
      const skew = Number(flags.skew);
      if (!Number.isFinite(skew) || skew < 0)
        throw new UsageError('--skew must be a number of seconds >= 0');
      const fixedNow =
        flags.now === undefined || flags.now === 'auto' ? undefined : parseDateTime(flags.now);
      if (flags.now !== undefined && flags.now !== 'auto' && fixedNow === undefined)
        throw new UsageError('--now must be an ISO-8601 date-time with a time zone, or auto');
      const certs = await readCertificates(flags.signingCert ?? []);
      const { xml, encoding } = decodeAssertion(await readInput(file));
      const view = inspectAssertion(xml);
      let now = fixedNow ?? new Date();
      if (flags.now === 'auto') {
        const issued =
          view.issueInstant === undefined ? undefined : parseDateTime(view.issueInstant);
        if (issued === undefined)
          throw new UsageError('--now auto: the assertion has no readable IssueInstant');
        now = issued;
      }
      const report = evaluateSamlBearerRules(
        xml,
        flags.grant === undefined
          ? undefined
          : flags.grant === 'saml1'
            ? GRANT_TYPE.saml11Bearer
            : GRANT_TYPE.saml2Bearer,
        {
          ...(certs.length === 0 ? {} : { trustedCertificates: certs }),
          ...(flags.issuer === undefined ? {} : { trustedIssuers: flags.issuer }),
          ...(flags.audience === undefined ? {} : { audience: flags.audience }),
          ...(flags.recipient === undefined ? {} : { recipient: flags.recipient }),
          now,
          skewMs: skew * 1000,
          allowSha1: flags.allowSha1 === true,
        },
      );
      const signature = report.results.find((r) => r.id === 'saml.signature');
      const warnings =
        signature?.status === 'fail'
          ? []
          : signatureWarnings(view, { verified: signature?.status === 'pass' });
      const nowSource = flags.now === 'auto' ? 'auto' : flags.now === undefined ? 'clock' : 'given';
      process.exitCode = report.verdict === 'valid' ? EXIT.ok : EXIT.failed;
      printWarnings(warnings); // on stderr, with --json too
      if (flags.json === true) {
        printJson({
          input: encoding,
          now: { at: now.toISOString(), source: nowSource },
          assertion: { xml, ...view },
          verdict: report.verdict,
          valid: report.verdict === 'valid',
          claimsFrom: report.readFromSignedContent ? 'signed content' : 'the document as sent',
          rules: report.results,
          warnings,
        });
        return;
      }
      console.log(
        `${pc.bold('input:'.padEnd(12))}${encoding === 'base64' ? 'base64, decoded' : 'XML'}`,
      );
      printAssertion(view);
      console.log(
        `\n${pc.bold('RFC 7522 rules')} as of ${now.toISOString()}${nowSource === 'auto' ? " (--now auto: the assertion's own IssueInstant)" : ''}, claims read from ${report.readFromSignedContent ? 'the signed content' : 'the document as sent (signature not verified)'}:`,
      );
      for (const r of report.results) printRule(r);
      console.log(`\n${verdictLine(report.verdict, report.results)}`);
    });
}

function printRule(r: BearerRuleResult): void {
  const label = {
    pass: pc.green('PASS'),
    fail: pc.red('FAIL'),
    'not-checked': pc.yellow('NOT CHECKED'),
    'not-applicable': pc.dim('N/A'),
  }[r.status];
  console.log(
    `  ${label.padEnd(11 + (label.length - stripLength(label)))} ${r.id.padEnd(16)} ${r.code === undefined ? '' : `${r.code}: `}${r.message}`,
  );
  if (r.algorithm !== undefined) console.log(`${' '.repeat(14)}algorithm: ${r.algorithm}`);
  if (r.peerAlgorithm !== undefined) console.log(`${' '.repeat(14)}found: ${r.peerAlgorithm}`);
  if (r.warning !== undefined) console.log(`${' '.repeat(14)}warning: ${r.warning}`);
  if (r.remediation !== undefined) console.log(`${' '.repeat(14)}remediation: ${r.remediation}`);
}

function verdictLine(verdict: string, results: readonly BearerRuleResult[]): string {
  if (verdict === 'valid') return `${pc.green('✓')} valid: every RFC 7522 rule passes`;
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length > 0)
    return `${pc.red('✗')} invalid: ${failed.map((r) => `${r.id} (${r.code})`).join(', ')}`;
  const unchecked = results.filter((r) => r.status === 'not-checked').map((r) => r.id);
  return `${pc.yellow('?')} not validated: ${unchecked.join(', ')} not checked (give --signing-cert, --audience${unchecked.includes('saml.recipient') ? ', --recipient' : ''})`;
}

function stripLength(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI colour codes
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The assertion's text from the input: XML as it is (a leading XML declaration and surrounding
 * white space removed), else standard base64 (line breaks and spaces allowed) of XML.
 *
 * @throws {SamlError} `PSSO_ERR_SAML_MALFORMED` for anything else; {@link UsageError} for a whole
 *   SOAP envelope (that is `rstr`'s input).
 * @example
 * ```ts
 * decodeAssertion(Buffer.from('PHNhbWw6QXNzZXJ0aW9uIC4uLg==')).encoding; // 'base64'
 * ```
 */
export function decodeAssertion(bytes: Uint8Array): { xml: string; encoding: 'xml' | 'base64' } {
  const text = utf8(bytes, 'the input is not UTF-8 text');
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('<')) {
    if (trimmed.length > MAX_XML) throw malformed('the assertion is larger than 256 KiB');
    const xml = trimmed.replace(/^<\?xml[^?]*\?>\s*/, '');
    if (/^<([A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(xml))
      throw new UsageError('this is a SOAP envelope, not a bare assertion: use psso-wstrust rstr');
    return { xml, encoding: 'xml' };
  }
  const b64 = trimmed.replace(/\s+/g, '');
  if (b64.length > MAX_BASE64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0)
    throw malformed('the input is neither XML nor standard base64');
  const xml = utf8(Buffer.from(b64, 'base64'), 'the decoded assertion is not UTF-8').trim();
  if (!xml.startsWith('<')) throw malformed('the decoded base64 is not XML');
  return { xml: xml.replace(/^<\?xml[^?]*\?>\s*/, ''), encoding: 'base64' };
}

function utf8(bytes: Uint8Array, why: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed(why);
  }
}

function malformed(why: string): SamlError {
  return new SamlError('PSSO_ERR_SAML_MALFORMED', `SAML assertion refused: ${why}`);
}
