/**
 * psso-wstrust: the WS-Trust federated login that Apple Platform SSO performs — MEX endpoint
 * selection, the RequestSecurityToken, response validation and the TokenType → grant_type mapping.
 *
 * @example
 * ```ts
 * import { wsTrustLogin } from 'psso-wstrust';
 * const { token } = await wsTrustLogin({
 *   mexUrl: 'https://sts.example.com/adfs/services/trust/mex',
 *   federationRequestURN: 'urn:federation:MicrosoftOnline',
 *   username: 'alice@example.com',
 *   password,
 * });
 * ```
 *
 * @module
 */
export {
  CheckError,
  type CheckErrorCode,
  ConfigError,
  type ConfigErrorCode,
  HttpError,
  type HttpErrorCode,
  type HttpErrorDetails,
  IdpError,
  type IdpErrorCode,
  IdpRequestError,
  LoginError,
  type LoginErrorCode,
  MexError,
  type MexErrorCode,
  type NetworkReason,
  PredicateError,
  type PredicateErrorCode,
  type PredicateVerdict,
  PssoError,
  type PssoErrorCode,
  RstError,
  type RstErrorCode,
  SamlError,
  type SamlErrorCode,
  type TokenEndpointFailure,
  WsTrustError,
  type WsTrustErrorCode,
  type WsTrustFaultCode,
  WsTrustFaultError,
  XmlError,
  type XmlErrorCode,
} from './errors.js';
export { closeHttpAgents } from './http/agents.js';
export {
  type CommandDeadline,
  commandDeadline,
  withCommandSignal,
} from './http/command-deadline.js';
export {
  type ExchangeObserver,
  formatExchange,
  type HttpExchange,
} from './http/observe.js';
export type { HttpOptions } from './http/options.js';
export type { HttpRequest, HttpResponse, HttpTransport, RecordedResponse } from './http/request.js';
export { peerText } from './lib/peer-text.js';
export { mexRequest, processMexResponse } from './mex/exchange.js';
export { parseMex } from './mex/parse.js';
export type { MexEndpoint, MexMetadata, MexSkippedEndpoint, MexSkipReason } from './mex/types.js';
export {
  GRANT_TYPE,
  type GrantType,
  type SamlGrantType,
  type SamlVersion,
  samlGrantType,
} from './protocol/grant-types.js';
export {
  grantTypeForTokenType,
  TOKEN_TYPE,
  WSTRUST13,
  WSTRUST2005,
  type WsTrustVersion,
} from './protocol/wstrust.js';
export { processSecurityTokenResponse, securityTokenRequest } from './wstrust/exchange.js';
export {
  type WsTrustLoginEvent,
  type WsTrustLoginOptions,
  type WsTrustLoginResult,
  wsTrustLogin,
} from './wstrust/login.js';
export {
  buildRequestSecurityToken,
  type PasswordType,
  type RequestProfile,
  type RequestSecurityToken,
  type RequestSecurityTokenParams,
} from './wstrust/rst.js';
export {
  DEFAULT_CLOCK_SKEW_SECONDS,
  type ExpectedResponse,
  type WsTrustToken,
} from './wstrust/rstr.js';
export type { XmlLimits } from './xml/limits.js';
