/**
 * Parsing and validating a Platform SSO login configuration from JSON, with the rules macOS applies
 * in `setLoginConfiguration` (each failure has its own {@link ConfigErrorCode}), and serializing one
 * back to JSON.
 *
 * The JSON form uses the property names of `ASAuthorizationProviderExtensionLoginConfiguration`;
 * URLs are strings, query items are arrays of `{ "name", "value" }`, claims are JSON objects and
 * `federationType` is `"none"`, `"wsTrust"`, `"dynamicWSTrust"` or the number 0, 1 or 2. A `null`
 * value means unset (Swift `nil`). Error messages name fields but never echo their values.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, type ConfigErrorCode, sanitizePeerText } from '../../errors.js';
import { loginRequestEncryptionKey } from '../../jose/embedded-apv.js';
import { parsePredicate } from '../predicate/index.js';
import { checkHpkeConfiguration } from './hpke.js';
import {
  AUTHENTICATION_METHODS,
  FEDERATION_TYPES,
  type FederationType,
  type JsonObject,
  type JsonValue,
  type LoginConfiguration,
  type QueryItem,
} from './types.js';

/** Options of {@link parseLoginConfiguration} and {@link loadLoginConfiguration}. */
export interface LoginConfigurationOptions {
  /**
   * Accept `http:` URLs whose host is a loopback address (`localhost`, `127.0.0.0/8`, `[::1]`).
   * For tests only: a real device refuses them.
   */
  readonly dangerouslyAllowHttpLoopback?: boolean;
  /**
   * Checks that an NSPredicate format string parses, throwing if it does not. Defaults to
   * the NSPredicate parser of `src/psso/predicate`.
   */
  readonly checkPredicate?: (text: string) => void;
}

type Kind =
  | 'string'
  | 'url'
  | 'queryItems'
  | 'claims'
  | 'predicate'
  | 'federationType'
  | 'authenticationMethod';

/** Every accepted field and its kind, in serialization order. */
const FIELDS: { readonly [K in keyof LoginConfiguration]-?: Kind } = {
  $schema: 'string',
  clientID: 'string',
  issuer: 'string',
  tokenEndpointURL: 'url',
  jwksEndpointURL: 'url',
  nonceEndpointURL: 'url',
  nonceResponseKeypath: 'string',
  serverNonceClaimName: 'string',
  additionalScopes: 'string',
  customNonceRequestValues: 'queryItems',
  customLoginRequestValues: 'queryItems',
  customRequestJWTParameterName: 'string',
  customLoginRequestHeaderClaims: 'claims',
  customLoginRequestBodyClaims: 'claims',
  invalidCredentialPredicate: 'predicate',
  refreshEndpointURL: 'url',
  customRefreshRequestValues: 'queryItems',
  federationType: 'federationType',
  federationRequestURN: 'string',
  federationMEXURL: 'url',
  federationUserPreauthenticationURL: 'url',
  federationMEXURLKeypath: 'string',
  federationPredicate: 'predicate',
  customFederationUserPreauthenticationRequestValues: 'queryItems',
  authenticationMethod: 'authenticationMethod',
  audience: 'string',
  customAssertionRequestHeaderClaims: 'claims',
  customAssertionRequestBodyClaims: 'claims',
  loginRequestEncryptionPublicKey: 'claims',
  loginRequestEncryptionAPVPrefix: 'string',
  keyEndpointURL: 'url',
  hpkePreSharedKey: 'string',
  hpkePreSharedKeyID: 'string',
  hpkeAuthPublicKey: 'claims',
};

/** Every field name a login configuration may hold (`$schema` first), in serialization order. */
export const LOGIN_CONFIGURATION_FIELDS: readonly string[] = Object.freeze(Object.keys(FIELDS));

const MAX_FILE_BYTES = 1024 * 1024;
const MAX_JSON_DEPTH = 32;

const fail = (code: ConfigErrorCode, message: string, cause?: unknown): ConfigError =>
  new ConfigError(code, message, cause === undefined ? undefined : { cause });
const fieldError = (field: string, why: string): ConfigError =>
  fail('PSSO_ERR_CONFIG_FIELD', `${field} ${why}`);

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function parseUrl(field: string, value: unknown, options: LoginConfigurationOptions): URL {
  if (typeof value !== 'string') throw fieldError(field, 'must be a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch (e) {
    throw fail('PSSO_ERR_CONFIG_URL_INVALID', `${field} is not an absolute URL`, e);
  }
  if (url.username !== '' || url.password !== '')
    throw fail('PSSO_ERR_CONFIG_URL_INVALID', `${field} must not carry credentials`);
  const httpOk =
    url.protocol === 'http:' &&
    options.dangerouslyAllowHttpLoopback === true &&
    LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !httpOk)
    throw fail('PSSO_ERR_CONFIG_URL_INVALID', `${field} must be an https URL`);
  return url;
}

function parseQueryItems(field: string, value: unknown): QueryItem[] {
  if (!Array.isArray(value)) throw fieldError(field, 'must be an array of { name, value }');
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw fieldError(`${field}[${i}]`, 'must be an object { name, value }');
    const keys = Object.keys(item);
    const { name, value: v } = item as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || name === '' || typeof v !== 'string' || keys.length !== 2)
      throw fieldError(`${field}[${i}]`, 'must be { name: non-empty string, value: string }');
    return { name, value: v };
  });
}

function isJson(value: unknown, depth: number): value is JsonValue {
  if (depth > MAX_JSON_DEPTH) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isJson(v, depth + 1));
}

function parseClaims(field: string, value: unknown): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isJson(value, 0))
    throw fieldError(field, 'must be a JSON object');
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

function parseFederationType(value: unknown): FederationType {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw fieldError('federationType', 'must be a string or a number');
  const found =
    typeof value === 'number'
      ? Number.isInteger(value)
        ? FEDERATION_TYPES[value]
        : undefined
      : FEDERATION_TYPES.find((t) => t === value);
  if (found === undefined)
    throw fail(
      'PSSO_ERR_CONFIG_FEDERATION_TYPE',
      'federationType must be none (0), wsTrust (1) or dynamicWSTrust (2)',
    );
  return found;
}

function checkPredicateText(field: string, text: string, options: LoginConfigurationOptions) {
  try {
    (options.checkPredicate ?? parsePredicate)(text);
  } catch (e) {
    throw fail('PSSO_ERR_CONFIG_PREDICATE_INVALID', `${field} is not a valid NSPredicate`, e);
  }
}

const present = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

/**
 * Validates an already-parsed JSON value as a login configuration.
 *
 * @throws {ConfigError} `PSSO_ERR_CONFIG_JSON` (not an object), `PSSO_ERR_CONFIG_FIELD` (unknown
 * field, wrong type, missing endpoint URL), `PSSO_ERR_CONFIG_CLIENT_ID_MISSING`,
 * `PSSO_ERR_CONFIG_ISSUER_MISSING`, `PSSO_ERR_CONFIG_URL_INVALID`,
 * `PSSO_ERR_CONFIG_FEDERATION_TYPE`, `PSSO_ERR_CONFIG_FEDERATION_URN_MISSING`,
 * `PSSO_ERR_CONFIG_MEX_URL_MISSING`, `PSSO_ERR_CONFIG_PREAUTH_URL_MISSING`,
 * `PSSO_ERR_CONFIG_MEX_KEYPATH_MISSING`, `PSSO_ERR_CONFIG_PREDICATE_INVALID`.
 * @example
 * ```ts
 * const config = parseLoginConfiguration(JSON.parse(text), {
 *   checkPredicate: (t) => { parsePredicate(t); },
 * });
 * ```
 */
export function parseLoginConfiguration(
  json: unknown,
  options: LoginConfigurationOptions = {},
): LoginConfiguration {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw fail('PSSO_ERR_CONFIG_JSON', 'the login configuration must be a JSON object');
  const input = json as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(FIELDS, key))
      throw fieldError(JSON.stringify(sanitizePeerText(key).slice(0, 64)), 'is not a known field');
  }
  const out: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(FIELDS)) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    switch (kind) {
      case 'string':
      case 'predicate':
        if (typeof value !== 'string') throw fieldError(field, 'must be a string');
        out[field] = value;
        break;
      case 'url':
        out[field] = parseUrl(field, value, options);
        break;
      case 'queryItems':
        out[field] = parseQueryItems(field, value);
        break;
      case 'claims':
        out[field] = parseClaims(field, value);
        break;
      case 'federationType':
        out[field] = parseFederationType(value);
        break;
      case 'authenticationMethod':
        if (!AUTHENTICATION_METHODS.some((m) => m === value))
          throw fieldError(field, 'must be password, userSecureEnclaveKey or smartCard');
        out[field] = value;
        break;
    }
  }
  const config = out as Partial<LoginConfiguration>;
  if (!present(config.clientID))
    throw fail('PSSO_ERR_CONFIG_CLIENT_ID_MISSING', 'clientID must be a non-empty string');
  if (!present(config.issuer))
    throw fail('PSSO_ERR_CONFIG_ISSUER_MISSING', 'issuer must be a non-empty string');
  if (config.tokenEndpointURL === undefined) throw fieldError('tokenEndpointURL', 'is required');
  if (config.jwksEndpointURL === undefined) throw fieldError('jwksEndpointURL', 'is required');

  const type = config.federationType ?? 'none';
  if (type !== 'none' && !present(config.federationRequestURN))
    throw fail('PSSO_ERR_CONFIG_FEDERATION_URN_MISSING', 'The federationRequestURN is missing.');
  if (type === 'wsTrust' && config.federationMEXURL === undefined)
    throw fail('PSSO_ERR_CONFIG_MEX_URL_MISSING', 'The federationMEXURL is missing.');
  if (type === 'dynamicWSTrust') {
    if (config.federationUserPreauthenticationURL === undefined)
      throw fail(
        'PSSO_ERR_CONFIG_PREAUTH_URL_MISSING',
        'The federationUserPreauthenticationURL is missing.',
      );
    if (!present(config.federationMEXURLKeypath))
      throw fail('PSSO_ERR_CONFIG_MEX_KEYPATH_MISSING', 'The federationMEXURLKeypath is missing.');
    if (config.federationPredicate === undefined)
      throw fail('PSSO_ERR_CONFIG_PREDICATE_INVALID', 'The federationPredicate is missing.');
  }
  if (config.loginRequestEncryptionPublicKey !== undefined) {
    try {
      loginRequestEncryptionKey(config.loginRequestEncryptionPublicKey); // §3.10: public P-256 JWK
    } catch (e) {
      throw fieldError('loginRequestEncryptionPublicKey', (e as Error).message);
    }
  }
  if (config.loginRequestEncryptionAPVPrefix === '')
    throw fieldError('loginRequestEncryptionAPVPrefix', 'must not be empty');
  for (const field of ['federationPredicate', 'invalidCredentialPredicate'] as const) {
    const text = config[field];
    if (text !== undefined) checkPredicateText(field, text, options);
  }
  checkHpkeConfiguration(config);
  return config as LoginConfiguration;
}

/**
 * Reads a JSON file (at most 1 MiB) and validates it with {@link parseLoginConfiguration}.
 *
 * @throws {ConfigError} `PSSO_ERR_CONFIG_JSON` when the file cannot be read, is too large or is
 * not JSON (the message never quotes the file), else as {@link parseLoginConfiguration}.
 * @example
 * ```ts
 * const config = await loadLoginConfiguration('/etc/psso/login.json');
 * ```
 */
export async function loadLoginConfiguration(
  path: string,
  options: LoginConfigurationOptions = {},
): Promise<LoginConfiguration> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_FILE_BYTES) throw new RangeError('larger than 1 MiB');
    text = bytes.toString('utf8');
  } catch (e) {
    throw fail('PSSO_ERR_CONFIG_JSON', `cannot read the login configuration ${path}`, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The SyntaxError is dropped on purpose: its message quotes the file's content.
    throw fail('PSSO_ERR_CONFIG_JSON', 'the login configuration is not valid JSON');
  }
  return parseLoginConfiguration(json, options);
}

/**
 * The JSON form of a configuration (the inverse of {@link parseLoginConfiguration}): URLs as
 * strings, `federationType` as its name, unset fields omitted, fields in a stable order.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(loginConfigurationToJSON(config), null, 2));
 * ```
 */
export function loginConfigurationToJSON(config: LoginConfiguration): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  const source = config as unknown as Record<string, unknown>;
  for (const field of Object.keys(FIELDS)) {
    const value = source[field];
    if (value === undefined) continue;
    if (value instanceof URL) out[field] = value.href;
    else out[field] = JSON.parse(JSON.stringify(value)) as JsonValue;
  }
  return out;
}
