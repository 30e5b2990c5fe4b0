/**
 * `psso-wstrust psso init --out FILE [--force] [--json]` with either `--idp URL` (the reference
 * IdP's discovery document, `/.well-known/psso-configuration`) or the fields of any IdP as flags
 * (`--client-id --issuer --token-url --jwks-url [--nonce-url --refresh-url --key-url --predicate
 * …]`): writes a complete login configuration (docs/PLATFORM-SSO.md §2) with its `$schema`, validated
 * by `parseLoginConfiguration` as macOS's `setLoginConfiguration` would before anything is written.
 * Flags given with `--idp` override the document's fields.
 *
 * @module
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  discoveryRequest,
  discoveryUrl,
  LOGIN_CONFIG_SCHEMA_ID,
  loginConfigurationToJSON,
  parseLoginConfiguration,
  processDiscoveryResponse,
} from 'psso-wstrust/psso';
import { type CommandFlags, commandHttp, withCommandOptions } from '../command-options.js';
import { type HttpFlags, httpOptions, withHttpOptions } from '../http-options.js';
import { done, printJson } from '../output.js';
import { UsageError } from '../usage.js';

/** Each field flag and the configuration field it sets. */
const FIELD_FLAGS = [
  ['clientId', '--client-id <id>', 'clientID', 'OAuth client_id (also the login JWT iss)'],
  ['issuer', '--issuer <iss>', 'issuer', 'expected id_token iss'],
  ['tokenUrl', '--token-url <url>', 'tokenEndpointURL', 'token endpoint'],
  ['jwksUrl', '--jwks-url <url>', 'jwksEndpointURL', 'JWKS of the id_token keys'],
  ['nonceUrl', '--nonce-url <url>', 'nonceEndpointURL', 'server nonce endpoint'],
  ['refreshUrl', '--refresh-url <url>', 'refreshEndpointURL', 'refresh endpoint'],
  ['keyUrl', '--key-url <url>', 'keyEndpointURL', 'Platform SSO 2.0 key endpoint'],
  [
    'predicate',
    '--predicate <nspredicate>',
    'invalidCredentialPredicate',
    'what a credential error is',
  ],
  [
    'federationType',
    '--federation-type <type>',
    'federationType',
    'none, wsTrust or dynamicWSTrust',
  ],
  ['requestUrn', '--request-urn <urn>', 'federationRequestURN', 'wsp:AppliesTo of the RST'],
  ['mexUrl', '--mex-url <url>', 'federationMEXURL', 'static MEX URL (wsTrust)'],
  [
    'preauthUrl',
    '--preauth-url <url>',
    'federationUserPreauthenticationURL',
    'user realm URL (dynamicWSTrust)',
  ],
  [
    'mexKeypath',
    '--mex-keypath <keypath>',
    'federationMEXURLKeypath',
    'MEX URL keypath in the realm JSON',
  ],
  [
    'federationPredicate',
    '--federation-predicate <nspredicate>',
    'federationPredicate',
    'who is federated',
  ],
  ['audience', '--audience <aud>', 'audience', 'embedded assertion aud'],
  [
    'authenticationMethod',
    '--authentication-method <m>',
    'authenticationMethod',
    'password, userSecureEnclaveKey or smartCard',
  ],
] as const;

type InitFlags = HttpFlags &
  CommandFlags & {
    out: string;
    force?: boolean;
    json?: boolean;
    idp?: string;
  } & { [K in (typeof FIELD_FLAGS)[number][0]]?: string };

/**
 * The configuration `psso init` writes, in its JSON form: `$schema`, then the document's fields
 * (when given) overridden by the flags, validated.
 *
 * @throws {ConfigError} any `PSSO_ERR_CONFIG_*` of `parseLoginConfiguration`.
 * @example
 * ```ts
 * const json = initConfiguration(processDiscoveryResponse(await discoveryRequest(url)), { clientID: 'psso' }, {});
 * ```
 */
export function initConfiguration(
  document: Record<string, unknown>,
  overrides: Record<string, string>,
  options: { dangerouslyAllowHttpLoopback?: boolean },
): Record<string, unknown> {
  const { $schema: _ignored, ...fields } = document;
  const merged = { $schema: LOGIN_CONFIG_SCHEMA_ID, ...fields, ...overrides };
  return loginConfigurationToJSON(parseLoginConfiguration(merged, options));
}

/**
 * Adds `init` under `psso`.
 *
 * @example
 * ```ts
 * registerPssoInit(pssoCommand);
 * // psso-wstrust psso init --idp https://127.0.0.1:8443 --ca ca.pem --out login.json
 * ```
 */
export function registerPssoInit(psso: Command): void {
  const init = withHttpOptions(
    withCommandOptions(psso.command('init'))
      .description('write a login configuration, from the IdP discovery document or from flags')
      .requiredOption('--out <file>', 'the login configuration file to write')
      .option('--force', 'replace an existing file')
      .option('--idp <url>', 'the reference IdP (its /.well-known/psso-configuration)')
      .option('--json', 'print the configuration written as JSON'),
  );
  for (const [, flag, field, what] of FIELD_FLAGS) init.option(flag, `${field}: ${what}`);
  init.action(async (flags: InitFlags) => {
    const overrides: Record<string, string> = {};
    for (const [key, , field] of FIELD_FLAGS) {
      const value = flags[key];
      if (value !== undefined) overrides[field] = value;
    }
    if (flags.idp === undefined && Object.keys(overrides).length === 0)
      throw new UsageError(
        'give --idp URL, or the fields as flags (--client-id --issuer --token-url --jwks-url …)',
      );
    const loopback = flags.dangerouslyAllowHttpLoopback === true;
    let document: Record<string, unknown> = {};
    if (flags.idp !== undefined) {
      let url: string;
      try {
        url = discoveryUrl(flags.idp);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const { http, dispose } = commandHttp(httpOptions(flags), flags);
      document = processDiscoveryResponse(await discoveryRequest(url, http).finally(dispose));
    }
    const json = initConfiguration(
      document,
      overrides,
      loopback ? { dangerouslyAllowHttpLoopback: true } : {},
    );
    try {
      await writeFile(flags.out, `${JSON.stringify(json, null, 2)}\n`, {
        flag: flags.force === true ? 'w' : 'wx',
        mode: 0o644,
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new UsageError(`${flags.out} already exists: pass --force to replace it`);
      throw new UsageError(`cannot write ${flags.out}`);
    }
    if (flags.json === true) printJson({ out: flags.out, configuration: json });
    else {
      done(`login configuration written to ${flags.out}`);
      console.log(`  clientID ${String(json.clientID)}, issuer ${String(json.issuer)}`);
      console.log(`  token endpoint ${String(json.tokenEndpointURL)}`);
      console.log(`  federation ${String(json.federationType ?? 'none')}`);
      console.log(
        `Log in: psso-wstrust psso login --config ${flags.out} --username USER --keys FILE`,
      );
    }
  });
}
