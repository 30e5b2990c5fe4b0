/**
 * `psso-wstrust/psso`: the Platform SSO client — a fake Mac an IdP can be tested with
 * (docs/PLATFORM-SSO.md §1, §3). The login configuration (parse, load, resolve, serialize), the device
 * keys, every flow (server nonce, user-realm preauthentication, WS-Trust federation, the login and
 * refresh requests, the encrypted token response, the id_token check), the request-JWT builders,
 * the login-methods table, and the errors (each with a stable `PSSO_ERR_*` code).
 *
 * @example
 * A full login, then a refresh:
 * ```ts
 * import {
 *   generateDeviceKeys, loadLoginConfiguration, publicJwk, pssoLogin, pssoRefresh,
 *   resolveLoginConfiguration, LoginError,
 * } from 'psso-wstrust/psso';
 *
 * const config = resolveLoginConfiguration(await loadLoginConfiguration('login-config.json'));
 * const keys = generateDeviceKeys(); // register publicJwk(keys.signing.publicKey) and the encryption key at the IdP
 * try {
 *   const login = await pssoLogin({ config, username: 'alice@example.com', password, keys });
 *   console.log(login.federated, login.samlVersion, login.idTokenClaims.sub);
 *   const refreshed = await pssoRefresh({ config, keys, refreshToken: login.response.refreshToken });
 * } catch (e) {
 *   if (e instanceof LoginError && e.code === 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS') reprompt();
 *   else throw e;
 * }
 * ```
 *
 * @example
 * Every login method the configuration allows, as `demo` and `check --config` run them:
 * ```ts
 * import { PSSO_METHODS, newMethodSession, runMethod } from 'psso-wstrust/psso';
 * const session = newMethodSession();
 * for (const m of PSSO_METHODS) {
 *   const r = await runMethod(m, { config, keys, username, password, session });
 *   console.log(m.id, r.result, r.ms, r.detail);
 * }
 * ```
 *
 * @module
 */
export {
  ConfigError,
  type ConfigErrorCode,
  HttpError,
  type HttpErrorCode,
  LoginError,
  type LoginErrorCode,
  MexError,
  type MexErrorCode,
  PredicateError,
  type PredicateErrorCode,
  PssoError,
  type PssoErrorCode,
  SamlError,
  type SamlErrorCode,
  type TokenEndpointFailure,
  WsTrustError,
  type WsTrustErrorCode,
  WsTrustFaultError,
  XmlError,
  type XmlErrorCode,
} from '../errors.js';
export { closeHttpAgents } from '../http/agents.js';
export type { HttpOptions } from '../http/options.js';
export type { HttpResponse, HttpTransport, RecordedResponse } from '../http/request.js';
export { signCompactJws } from '../jose/compact-sign.js';
export {
  EMBEDDED_APV_PREFIX,
  embeddedApv,
  loginRequestEncryptionKey,
  parseEmbeddedApv,
} from '../jose/embedded-apv.js';
export { buildEmbeddedAssertion, embeddedAssertionClaims } from '../jose/embedded-assertion.js';
export {
  buildEncryptedAssertion,
  ENCRYPTED_ASSERTION_TYP,
  encryptedAssertionClaims,
} from '../jose/encrypted-assertion.js';
export { HPKE_SUITES, type HpkeSuiteName } from '../jose/hpke/suites.js';
export {
  ID_TOKEN_ALGORITHMS,
  type VerifiedIdToken,
  type VerifyIdTokenOptions,
  verifyIdToken,
} from '../jose/id-token.js';
export {
  audienceOf,
  buildLoginJwt,
  buildRefreshJwt,
  LOGIN_REQUEST_TYP,
  type LoginJwtParams,
  type LoginRequestBodyOptions,
  loginRequestBody,
  REFRESH_REQUEST_TYP,
  type RefreshJwtParams,
} from '../jose/login-jwt.js';
export {
  type DecryptLoginResponseOptions,
  decryptLoginResponse,
  LOGIN_RESPONSE_TYP,
  type LoginResponse,
} from '../jose/login-response.js';
export { nsJsonStringify } from '../jose/nsjson.js';
export { loginApv, type PartyInfo } from '../jose/party-info.js';
export {
  GRANT_TYPE,
  type GrantType,
  type SamlGrantType,
  type SamlVersion,
  samlGrantType,
} from '../protocol/grant-types.js';
export { discoveryRequest, discoveryUrl, processDiscoveryResponse } from './config/discovery.js';
export {
  type LoginConfigurationOptions,
  loadLoginConfiguration,
  loginConfigurationToJSON,
  parseLoginConfiguration,
} from './config/load.js';
export { LOGIN_CONFIG_SCHEMA_ID } from './config/schema-id.js';
export {
  AUTHENTICATION_METHODS,
  type AuthenticationMethod,
  FEDERATION_TYPES,
  type FederationType,
  type JsonObject,
  type JsonValue,
  LOGIN_CONFIGURATION_DEFAULTS,
  type LoginConfiguration,
  type QueryItem,
  type QueryItems,
  type ResolvedLoginConfiguration,
  resolveLoginConfiguration,
} from './config/types.js';
export { authenticationMethodOf, loginCredential } from './flow/credential.js';
export { passwordCredential } from './flow/encrypted-password.js';
export { JWKS_CACHE_DEFAULTS, JwksCache, type JwksCacheOptions } from './flow/jwks-cache.js';
export {
  type KeyExchangeContext,
  type KeyExchangeResult,
  type KeyRequestResult,
  type KeyResponseContext,
  keyExchangeRequest,
  keyRequest,
  keyResponseCertificate,
  processKeyExchangeResponse,
  processKeyResponse,
} from './flow/key-endpoint.js';
export {
  type KeyExchangeFlowOptions,
  type KeyFlowOptions,
  type KeyFlowStep,
  pssoKeyExchange,
  pssoKeyRequest,
} from './flow/key-request.js';
export {
  type PssoLoginOptions,
  type PssoLoginResult,
  type PssoStep,
  pssoLogin,
  pssoRefresh,
} from './flow/login.js';
export { nonceRequest, processNonceResponse } from './flow/nonce.js';
export {
  type PreauthResult,
  preauthenticationRequest,
  processPreauthenticationResponse,
} from './flow/preauth.js';
export {
  type LoginResponseContext,
  loginRequest,
  processLoginResponse,
  processRefreshResponse,
  refreshRequest,
  type TokenResult,
} from './flow/token.js';
export {
  processUserKeyResponse,
  registerUserKey,
  type UserKeyRegistration,
  userKeyRequest,
} from './flow/user-key-register.js';
export {
  type DeviceKey,
  type DeviceKeys,
  deviceKeyFromPrivateKey,
  type EcPublicJwk,
  generateDeviceKeys,
  keyId,
  loadDeviceKeys,
  loadOrCreateDeviceKeys,
  publicJwk,
  x963,
} from './keys/device-keys.js';
export { generateHpkeDeviceKey, type HpkeDeviceKey } from './keys/hpke-key.js';
export {
  PUBLIC_KEY_FORMATS,
  type PublicKeyFormat,
  publicKeyFile,
  publicKeys,
  publicPartsOfKeyFile,
} from './keys/public-keys.js';
export { loadSmartCard, type SmartCardCredential, smartCardCredential } from './keys/smartcard.js';
export { addUserSecureEnclaveKey, generateUserSecureEnclaveKey } from './keys/user-key.js';
export {
  FEDERATED_METHOD,
  type MethodContext,
  type MethodInputs,
  type MethodNeeds,
  type MethodOutcome,
  type MethodRun,
  type MethodSession,
  methodById,
  newMethodSession,
  PASSWORD_METHOD,
  PSSO_METHODS,
  type PssoMethod,
  REFRESH_METHOD,
  runMethod,
} from './methods.js';
export {
  ENCRYPTED_PASSWORD_METHOD,
  HPKE_METHOD,
  KEY_EXCHANGE_METHOD,
  KEY_REQUEST_METHOD,
  SECURE_ENCLAVE_METHOD,
  SMARTCARD_METHOD,
} from './methods-keys.js';
export { evaluatePredicate, Predicate, parsePredicate } from './predicate/index.js';
