/**
 * Benchmark peer: adal-node 0.2.4 (devDependency), driven offline.
 *
 * Reproduces, without any network I/O, exactly the work adal-node does once it holds a body:
 *
 * - MEX: `Mex.prototype.discover` after `axios.get` resolves — `new DOMParser({ errorHandler })
 *   .parseFromString(body)`, then `Mex.prototype._parse` (policy, binding and port selection), then
 *   the caller's read of `mex.usernamePasswordPolicy.{url,version}` (token-request.js).
 * - RSTR: `WSTrustRequest.prototype._handleRSTR` — `new WSTrustResponse(ctx, body, version).parse()`
 *   (DOM parse, SOAP fault check, token extraction), then the checks token-request.js makes before
 *   the OAuth exchange: a token is present and its type maps to a SAML grant type.
 *
 * adal-node ships no types for its internal modules, so they are loaded with `createRequire` and
 * described by the minimal local interfaces below.
 */
import { createRequire } from 'node:module';

/** adal's log context: `{ correlationId }` (see lib/log.js `createLogContext`). */
interface AdalLogContext {
  correlationId: string;
}

/** What adal's internal classes read from the call context (`_logContext`; `options` for HTTP). */
interface AdalCallContext {
  _logContext: AdalLogContext;
  options: Record<string, never>;
}

interface AdalLogger {
  error(message: string, error?: unknown, containsPII?: boolean): void;
}

interface AdalLoggingOptions {
  log: (level: number, message: string, error?: unknown) => void;
  level: number;
  loggingWithPII: boolean;
}

interface AdalLogModule {
  Logging: {
    LOGGING_LEVEL: { ERROR: number; WARN: number; INFO: number; VERBOSE: number };
    setLoggingOptions(options: AdalLoggingOptions): void;
  };
}

/** adal's WSTrustVersion constants (lib/constants.js). */
type AdalWsTrustVersion = 'undefined' | 'wstrust13' | 'wstrust2005';

interface AdalMexPolicy {
  id?: string;
  url?: string;
  version?: AdalWsTrustVersion;
}

interface AdalMex {
  _log: AdalLogger;
  _mexDoc: string | null;
  _dom: unknown;
  _parse(callback: (err?: Error) => void): void;
  readonly usernamePasswordPolicy: AdalMexPolicy | null;
}

interface AdalWsTrustResponse {
  parse(): void;
  readonly errorCode: string | null;
  readonly faultMessage: string | null;
  readonly tokenType: string | null;
  readonly token: string | null;
}

interface XmldomModule {
  DOMParser: new (options: {
    errorHandler: AdalLogger['error'];
  }) => { parseFromString(source: string): unknown };
}

type AdalMexCtor = new (callContext: AdalCallContext, url: string) => AdalMex;
type AdalWsTrustResponseCtor = new (
  callContext: AdalCallContext,
  response: string,
  wstrustVersion: AdalWsTrustVersion,
) => AdalWsTrustResponse;

const require = createRequire(import.meta.url);
const mexModulePath = require.resolve('adal-node/lib/mex.js');
// Resolve xmldom from adal-node's own directory so it is the very copy adal uses.
const adalRequire = createRequire(mexModulePath);

const Mex = require(mexModulePath) as AdalMexCtor;
const WSTrustResponse = require('adal-node/lib/wstrust-response.js') as AdalWsTrustResponseCtor;
const { Logging } = require('adal-node/lib/log.js') as AdalLogModule;
const { DOMParser } = adalRequire('@xmldom/xmldom') as XmldomModule;

const adalPackage = require('adal-node/package.json') as { version: string };
/** The installed adal-node version (these shims follow 0.2.4's internals). */
export const ADAL_NODE_VERSION: string = adalPackage.version;

// Silence adal: its logger is global. Level ERROR is adal's default (verbose/info/warn calls are
// then early returns, as for a default consumer); the sink is a no-op so nothing reaches stdout.
Logging.setLoggingOptions({
  log: () => {},
  level: Logging.LOGGING_LEVEL.ERROR,
  loggingWithPII: false,
});

/** Same shape adal's AuthenticationContext builds for each request. */
function callContext(): AdalCallContext {
  return { _logContext: { correlationId: '00000000-0000-4000-8000-000000000000' }, options: {} };
}

// Mex._parse reports "No ws-trust endpoints match requirements" when the *MEX URL* (not the chosen
// endpoint) is falsy, so a placeholder URL is required for the success path.
const PLACEHOLDER_MEX_URL = 'https://adfs.invalid/adfs/services/trust/mex';

export type PeerWsTrustVersion = '1.3' | '2005';

function toPeerVersion(version: AdalWsTrustVersion | undefined): PeerWsTrustVersion {
  if (version === 'wstrust13') return '1.3';
  if (version === 'wstrust2005') return '2005';
  throw new Error(`adal-node: unexpected WS-Trust version ${String(version)}`);
}

function fromPeerVersion(version: PeerWsTrustVersion): AdalWsTrustVersion {
  return version === '1.3' ? 'wstrust13' : 'wstrust2005';
}

/**
 * adal-node's MEX processing of a fetched document: DOM parse + username/password endpoint
 * selection. Returns the endpoint adal would post the RST to, and its WS-Trust version
 * (adal's `wstrust13`/`wstrust2005` mapped to `'1.3'`/`'2005'`). Throws where adal would fail.
 */
export function adalSelectMex(doc: string): { url: string; version: PeerWsTrustVersion } {
  const mex = new Mex(callContext(), PLACEHOLDER_MEX_URL);
  // Verbatim from Mex.prototype.discover's success branch (the errorHandler is passed unbound,
  // exactly as adal does).
  mex._mexDoc = doc;
  mex._dom = new DOMParser({ errorHandler: mex._log.error }).parseFromString(mex._mexDoc);
  let error: Error | undefined;
  // _parse calls back synchronously.
  mex._parse((err) => {
    error = err;
  });
  if (error !== undefined) throw error;
  // token-request.js then reads mex.usernamePasswordPolicy.url / .version.
  const policy = mex.usernamePasswordPolicy;
  if (policy === null || policy.url === undefined) {
    throw new Error('adal-node: MEX yielded no username/password endpoint');
  }
  return { url: policy.url, version: toPeerVersion(policy.version) };
}

const SAML_TOKEN_TYPES: ReadonlySet<string> = new Set([
  'urn:oasis:names:tc:SAML:1.0:assertion', // Saml.TokenTypeV1 -> saml1_1-bearer grant
  'urn:oasis:names:tc:SAML:2.0:assertion', // Saml.TokenTypeV2 -> saml2-bearer grant
]);

/**
 * adal-node's processing of an RSTR body: `WSTrustResponse.parse()` (DOM parse, SOAP fault check,
 * token extraction by re-serialising the RequestedSecurityToken's element children with xmldom),
 * then the presence and token-type checks token-request.js applies. `version` is the endpoint
 * version MEX selected (it decides adal's XPath); the adal flow passes it through from MEX.
 * The base64 encoding adal applies when building the OAuth assertion grant is not included.
 */
export function adalProcessRstr(
  doc: string,
  version: PeerWsTrustVersion = '1.3',
): { tokenType: string; token: string } {
  const response = new WSTrustResponse(callContext(), doc, fromPeerVersion(version));
  response.parse();
  const { token, tokenType } = response;
  if (!token) {
    throw new Error(
      `adal-node: unsuccessful RSTR (error code ${String(response.errorCode)}, fault ${String(response.faultMessage)})`,
    );
  }
  if (tokenType === null || !SAML_TOKEN_TYPES.has(tokenType)) {
    throw new Error(`adal-node: RSTR returned unknown token type: ${String(tokenType)}`);
  }
  return { tokenType, token };
}
