/**
 * `psso-wstrust rst --endpoint URL --version 1.3|2005 --urn URN --username U [--profile …]`:
 * builds a RequestSecurityToken (password from stdin) and prints it for inspection, the password
 * redacted.
 *
 * @module
 */
import { type Command, Option } from 'commander';
import {
  buildRequestSecurityToken,
  type PasswordType,
  type RequestProfile,
  WSTRUST13,
  WSTRUST2005,
} from 'psso-wstrust';
import { SOAP12_CONTENT_TYPE } from 'psso-wstrust/protocol';
import { readStdinLine } from '../io.js';
import { printJson } from '../output.js';

const REDACTED = '[password redacted]';

export function registerRst(program: Command): void {
  program
    .command('rst')
    .description(
      'build a WS-Trust RequestSecurityToken (password read from stdin) and print it, password redacted',
    )
    .requiredOption('--endpoint <url>', 'the WS-Trust endpoint address')
    .addOption(
      new Option('--version <version>', 'WS-Trust version')
        .choices(['1.3', '2005'])
        .makeOptionMandatory(),
    )
    .requiredOption('--urn <urn>', 'AppliesTo: the federationRequestURN')
    .requiredOption('--username <username>', 'the user name')
    .addOption(
      new Option('--profile <profile>', 'request profile')
        .choices(['macos', 'wss11'])
        .default('macos'),
    )
    .addOption(
      new Option('--password-type <type>', 'Password Type')
        .choices(['PasswordText', 'PasswordDigest'])
        .default('PasswordText'),
    )
    .option(
      '--json',
      'print {"messageId", "soapAction", "contentType", "endpoint", "body"} as JSON',
    )
    .action(
      async (flags: {
        endpoint: string;
        version: '1.3' | '2005';
        urn: string;
        username: string;
        profile: RequestProfile;
        passwordType: PasswordType;
        json?: boolean;
      }) => {
        const password = await readStdinLine();
        const rst = buildRequestSecurityToken({
          endpoint: {
            version: flags.version,
            address: flags.endpoint,
            soapAction: (flags.version === '1.3' ? WSTRUST13 : WSTRUST2005).issueAction,
          },
          appliesTo: flags.urn,
          username: flags.username,
          password,
          profile: flags.profile,
          passwordType: flags.passwordType,
        });
        const body = redact(rst.body);
        if (flags.json === true) {
          printJson({
            messageId: rst.messageId,
            soapAction: rst.soapAction,
            contentType: SOAP12_CONTENT_TYPE,
            endpoint: flags.endpoint,
            body,
          });
          return;
        }
        console.log(`POST ${flags.endpoint}`);
        console.log(`Content-Type: ${SOAP12_CONTENT_TYPE}`);
        console.log(`SOAPAction: ${rst.soapAction}`);
        console.log('');
        console.log(body);
      },
    );
}

/** Replaces the Password element's content (only ever ours: the body was just built). */
function redact(body: string): string {
  return body.replace(/(<o:Password(?: [^>]*)?>)[^<]*(<\/o:Password>)/, `$1${REDACTED}$2`);
}
