/**
 * `psso-wstrust rstr FILE|- [--version …] [--message-id ID] [--now ISO-8601|auto] [--skew S]
 * [--signing-cert FILE]... [--allow-sha1] [--json]`: validates a saved WS-Trust response offline
 * and shows its assertion (issuer, audiences, subject, attributes, window, signature).
 *
 * @module
 */
import { type Command, Option } from 'commander';
import type { WsTrustVersion } from 'psso-wstrust';
import { NS_WST2005, NS_WSU, parseDateTime } from 'psso-wstrust/protocol';
import { inspectAssertion } from 'psso-wstrust/saml';
import { readSecurityTokenResponse, type WsTrustToken } from 'psso-wstrust/wstrust';
import { childElements, descendants, parseXml, textOf } from 'psso-wstrust/xml';
import { printAssertion, printWarnings, signatureWarnings } from '../assertion-view.js';
import { out as pc } from '../colors.js';
import { readCertificates, readInput } from '../io.js';
import { done, printJson } from '../output.js';
import { UsageError } from '../usage.js';

export function registerRstr(program: Command): void {
  program
    .command('rstr')
    .description('validate a saved WS-Trust response and show its token')
    .argument('<file>', 'the saved response body, or - for stdin')
    .addOption(
      new Option(
        '--version <version>',
        'WS-Trust version (default: detected from the body)',
      ).choices(['1.3', '2005']),
    )
    .option('--message-id <id>', 'the request MessageID: makes the RelatesTo check mandatory')
    .option(
      '--now <iso-8601|auto>',
      "validate as if at this instant (saved responses are old); auto: the response's own Timestamp Created",
    )
    .option('--skew <seconds>', 'allowed clock skew in seconds', '120')
    .option(
      '--signing-cert <file>',
      'verify the assertion signature against this token-signing certificate (PEM; repeatable)',
      collect,
    )
    .option('--allow-sha1', 'accept an RSA-SHA1 signature (with a warning)')
    .option('--json', 'print the token fields and the assertion as JSON (dates as ISO strings)')
    .action(
      async (
        file: string,
        flags: {
          version?: WsTrustVersion;
          messageId?: string;
          now?: string;
          skew: string;
          signingCert?: string[];
          allowSha1?: boolean;
          json?: boolean;
        },
      ) => {
        const body = await readInput(file);
        const certs = await readCertificates(flags.signingCert ?? []);
        const auto = flags.now === 'auto';
        const now = auto
          ? (timestampCreated(body) ?? new Date())
          : flags.now === undefined
            ? new Date()
            : parseDateTime(flags.now);
        if (now === undefined)
          throw new UsageError('--now must be an ISO-8601 date-time with a time zone, or auto');
        const skew = Number(flags.skew);
        if (!Number.isFinite(skew) || skew < 0)
          throw new UsageError('--skew must be a number of seconds >= 0');
        const version = flags.version ?? detectVersion(body);
        // A saved body, without its HTTP status and headers: the body rules alone.
        const token = readSecurityTokenResponse(body, {
          version,
          now,
          clockSkewSeconds: skew,
          ...(flags.messageId === undefined ? {} : { messageId: flags.messageId }),
          ...(certs.length === 0 ? {} : { trustedSigningCertificates: certs }),
          ...(flags.allowSha1 === true ? { allowSha1: true } : {}),
        });
        const view = inspectAssertion(token.assertion);
        const warnings = signatureWarnings(view, { verified: certs.length > 0 });
        const nowSource = auto ? 'auto' : flags.now === undefined ? 'clock' : 'given';
        printWarnings(warnings); // on stderr, with --json too
        if (flags.json === true) {
          printJson({
            ...tokenJson(token),
            assertion: { xml: token.assertion, ...view },
            signatureVerified: certs.length > 0,
            now: { at: now.toISOString(), source: nowSource },
            warnings,
          });
          return;
        }
        if (auto)
          done(
            `validated as of ${now.toISOString()} (--now auto: the response's own Timestamp Created)`,
          );
        const notes = [
          flags.messageId === undefined ? 'RelatesTo not checked: no --message-id' : '',
          view.signature === undefined
            ? ''
            : certs.length > 0
              ? 'assertion signature verified'
              : 'assertion signature not verified: no --signing-cert',
        ].filter((n) => n !== '');
        done(
          `valid WS-Trust ${version} response${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`,
        );
        printToken(token, { assertion: false });
        printAssertion(view);
      },
    );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The header Timestamp's Created (for `--now auto`), or `undefined` when there is none. */
function timestampCreated(body: Uint8Array): Date | undefined {
  try {
    const ts = descendants(parseXml(body).root, NS_WSU, 'Timestamp')[0];
    const created = ts === undefined ? undefined : childElements(ts, NS_WSU, 'Created')[0];
    return created === undefined ? undefined : parseDateTime(textOf(created).trim());
  } catch {
    return undefined; // the validation reports the parse error itself
  }
}

/** 2005 when the body holds a WS-Trust 2005 RSTR and no 1.3 element, else 1.3. */
function detectVersion(body: Uint8Array): WsTrustVersion {
  const { root } = parseXml(body);
  return descendants(root, NS_WST2005, 'RequestSecurityTokenResponse').length > 0 ? '2005' : '1.3';
}

/** The token as JSON-ready fields. */
export function tokenJson(token: WsTrustToken): Record<string, unknown> {
  return {
    tokenType: token.tokenType,
    grantType: token.grantType,
    samlVersion: token.samlVersion,
    assertion: token.assertion,
    created: token.created?.toISOString(),
    expires: token.expires?.toISOString(),
  };
}

/** The token for people. */
export function printToken(token: WsTrustToken, o: { assertion?: boolean } = {}): void {
  console.log(`${pc.bold('TokenType:')}  ${token.tokenType}`);
  console.log(`${pc.bold('grant_type:')} ${token.grantType}`);
  console.log(
    `${pc.bold('SAML:')}       ${token.samlVersion}, ${Buffer.byteLength(token.assertion)} bytes`,
  );
  if (token.created) console.log(`${pc.bold('created:')}    ${token.created.toISOString()}`);
  if (token.expires) console.log(`${pc.bold('expires:')}    ${token.expires.toISOString()}`);
  if (o.assertion === false) return;
  console.log(
    `${pc.bold('assertion:')}  ${token.assertion.length > 160 ? `${token.assertion.slice(0, 160)}…` : token.assertion}`,
  );
}
