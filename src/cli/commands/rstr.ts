/**
 * `psso-wstrust rstr <file> [--version …] [--message-id ID] [--now ISO-8601] [--skew S] [--json]`:
 * validates a saved WS-Trust response offline.
 *
 * @module
 */
import { type Command, Option } from 'commander';
import { parseDateTime } from '../../lib/time.js';
import { NS_WST2005 } from '../../protocol/namespaces.js';
import type { WsTrustVersion } from '../../protocol/wstrust.js';
import { processRequestSecurityTokenResponse, type WsTrustToken } from '../../wstrust/rstr.js';
import { parseXml } from '../../xml/parse.js';
import { descendants } from '../../xml/query.js';
import { out as pc } from '../colors.js';
import { readDocument } from '../io.js';
import { done, printJson } from '../output.js';
import { UsageError } from '../usage.js';

export function registerRstr(program: Command): void {
  program
    .command('rstr')
    .description('validate a saved WS-Trust response and show its token')
    .argument('<file>', 'the saved response body')
    .addOption(
      new Option(
        '--version <version>',
        'WS-Trust version (default: detected from the body)',
      ).choices(['1.3', '2005']),
    )
    .option('--message-id <id>', 'the request MessageID: makes the RelatesTo check mandatory')
    .option('--now <iso-8601>', 'validate as if at this instant (saved responses are old)')
    .option('--skew <seconds>', 'allowed clock skew in seconds', '120')
    .option('--json', 'print the token fields as JSON (dates as ISO strings)')
    .action(
      async (
        file: string,
        flags: {
          version?: WsTrustVersion;
          messageId?: string;
          now?: string;
          skew: string;
          json?: boolean;
        },
      ) => {
        const body = await readDocument(file);
        const now = flags.now === undefined ? new Date() : parseDateTime(flags.now);
        if (now === undefined)
          throw new UsageError('--now must be an ISO-8601 date-time with a time zone');
        const skew = Number(flags.skew);
        if (!Number.isFinite(skew) || skew < 0)
          throw new UsageError('--skew must be a number of seconds >= 0');
        const version = flags.version ?? detectVersion(body);
        const token = processRequestSecurityTokenResponse(body, {
          version,
          now,
          clockSkewSeconds: skew,
          ...(flags.messageId === undefined ? {} : { messageId: flags.messageId }),
        });
        if (flags.json === true) {
          printJson(tokenJson(token));
          return;
        }
        done(
          `valid WS-Trust ${version} response${flags.messageId === undefined ? ' (RelatesTo not checked: no --message-id)' : ''}`,
        );
        printToken(token);
      },
    );
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
export function printToken(token: WsTrustToken): void {
  console.log(`${pc.bold('TokenType:')}  ${token.tokenType}`);
  console.log(`${pc.bold('grant_type:')} ${token.grantType}`);
  console.log(
    `${pc.bold('SAML:')}       ${token.samlVersion}, ${Buffer.byteLength(token.assertion)} bytes`,
  );
  if (token.created) console.log(`${pc.bold('created:')}    ${token.created.toISOString()}`);
  if (token.expires) console.log(`${pc.bold('expires:')}    ${token.expires.toISOString()}`);
  console.log(
    `${pc.bold('assertion:')}  ${token.assertion.length > 160 ? `${token.assertion.slice(0, 160)}…` : token.assertion}`,
  );
}
