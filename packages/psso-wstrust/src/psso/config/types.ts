/**
 * The Platform SSO login configuration, mirroring `ASAuthorizationProviderExtensionLoginConfiguration`
 * (the subset this project uses), and its resolved form with the system's defaults applied.
 *
 * @module
 */

/** How federated login is done: `none` (0), `wsTrust` (1) or `dynamicWSTrust` (2). */
export type FederationType = 'none' | 'wsTrust' | 'dynamicWSTrust';

/** The `federationType` names in the order of their numeric values (0, 1, 2). */
export const FEDERATION_TYPES: readonly FederationType[] = ['none', 'wsTrust', 'dynamicWSTrust'];

/**
 * How the user authenticates (the MDM `AuthenticationMethod`): `password` (a password login, or a
 * federated one through WS-Trust), `userSecureEnclaveKey` (an embedded assertion signed by the
 * user's Secure Enclave key, §3.9) or `smartCard` (an embedded assertion signed by a SmartCard key
 * with its certificate in `x5c`).
 */
export type AuthenticationMethod = 'password' | 'userSecureEnclaveKey' | 'smartCard';

/** The `authenticationMethod` values. */
export const AUTHENTICATION_METHODS: readonly AuthenticationMethod[] = [
  'password',
  'userSecureEnclaveKey',
  'smartCard',
];

/** One `URLQueryItem`: a form field or query item added to a request. */
export interface QueryItem {
  readonly name: string;
  readonly value: string;
}

/** A list of `URLQueryItem`s, in order. */
export type QueryItems = ReadonlyArray<QueryItem>;

/** Any JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object (custom JWT header or body claims). */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * A validated login configuration, as given (optional fields are absent when unset). Use
 * {@link resolveLoginConfiguration} to get the values the system actually uses.
 *
 * @example
 * ```ts
 * const config: LoginConfiguration = {
 *   clientID: 'psso',
 *   issuer: 'https://idp.example.com',
 *   tokenEndpointURL: new URL('https://idp.example.com/token'),
 *   jwksEndpointURL: new URL('https://idp.example.com/jwks'),
 * };
 * ```
 */
export interface LoginConfiguration {
  /** The JSON Schema the file declares (`schema/login-config.v1.json`); ignored, kept on output. */
  readonly $schema?: string;
  /** OAuth `client_id`; also the login JWT `iss`. Non-empty. */
  readonly clientID: string;
  /** Expected `id_token` `iss`. Non-empty. */
  readonly issuer: string;
  /** POST target of the login request. */
  readonly tokenEndpointURL: URL;
  /** JWKS used to verify the `id_token`. */
  readonly jwksEndpointURL: URL;
  /** Server nonce POST target; default `tokenEndpointURL`. */
  readonly nonceEndpointURL?: URL;
  /** KVC keypath of the nonce in the nonce response; default `Nonce`. */
  readonly nonceResponseKeypath?: string;
  /** Claim name of the server nonce in the JWTs; default `request_nonce`. */
  readonly serverNonceClaimName?: string;
  /** Scopes appended after `openid offline_access`; default `urn:apple:platformsso`. */
  readonly additionalScopes?: string;
  /** Extra form fields of the nonce POST. */
  readonly customNonceRequestValues?: QueryItems;
  /** Extra form fields of the login POST. */
  readonly customLoginRequestValues?: QueryItems;
  /** Form field name of the login JWT; default `assertion`. */
  readonly customRequestJWTParameterName?: string;
  /** Extra login JWT header claims (applied after `typ`). */
  readonly customLoginRequestHeaderClaims?: JsonObject;
  /** Extra login JWT body claims (applied before the standard claims). */
  readonly customLoginRequestBodyClaims?: JsonObject;
  /** NSPredicate evaluated on the JSON body of a 400/401 login response. */
  readonly invalidCredentialPredicate?: string;
  /** Refresh endpoint; a refresh is only attempted when it is set. */
  readonly refreshEndpointURL?: URL;
  /** Extra form fields of the refresh POST. */
  readonly customRefreshRequestValues?: QueryItems;
  /** Federation kind; default `none`. */
  readonly federationType?: FederationType;
  /** `wsp:AppliesTo` address of the RST. Required for `wsTrust` and `dynamicWSTrust`. */
  readonly federationRequestURN?: string;
  /** Static MEX URL. Required for `wsTrust`. */
  readonly federationMEXURL?: URL;
  /** Preauthentication GET URL. Required for `dynamicWSTrust`. */
  readonly federationUserPreauthenticationURL?: URL;
  /** Keypath of the MEX URL in the preauthentication JSON. Required for `dynamicWSTrust`. */
  readonly federationMEXURLKeypath?: string;
  /** NSPredicate deciding, on the preauthentication JSON, whether the user is federated. */
  readonly federationPredicate?: string;
  /** Extra query items of the preauthentication GET, after `user`. */
  readonly customFederationUserPreauthenticationRequestValues?: QueryItems;
  /** How the user authenticates; default `password`. */
  readonly authenticationMethod?: AuthenticationMethod;
  /** The embedded assertion's `aud` (§3.9); default the token endpoint's audience form. */
  readonly audience?: string;
  /** Extra embedded-assertion header claims. */
  readonly customAssertionRequestHeaderClaims?: JsonObject;
  /** Extra embedded-assertion body claims. */
  readonly customAssertionRequestBodyClaims?: JsonObject;
  /**
   * The IdP's key the password is encrypted to (§3.10), as a public JWK; when set, a password
   * login sends an encrypted embedded assertion instead of the `password` claim.
   */
  readonly loginRequestEncryptionPublicKey?: JsonObject;
  /** The first `apv` field of the encrypted embedded assertion; default `APPLEEMBEDDED`. */
  readonly loginRequestEncryptionAPVPrefix?: string;
  /** Platform SSO 2.0 key service endpoint (key request, key exchange); default the token endpoint. */
  readonly keyEndpointURL?: URL;
  /** HPKE pre-shared key, standard base64 (PSK mode, with `hpkePreSharedKeyID`). */
  readonly hpkePreSharedKey?: string;
  /** HPKE pre-shared key id (PSK mode). */
  readonly hpkePreSharedKeyID?: string;
  /** The IdP's HPKE sender public key as a JWK (Auth mode). */
  readonly hpkeAuthPublicKey?: JsonObject;
}

/**
 * A login configuration with the system's defaults applied: every defaulted field is present.
 *
 * @example
 * ```ts
 * const resolved: ResolvedLoginConfiguration = resolveLoginConfiguration(config);
 * resolved.serverNonceClaimName; // 'request_nonce' unless configured
 * ```
 */
export interface ResolvedLoginConfiguration extends LoginConfiguration {
  readonly nonceEndpointURL: URL;
  readonly nonceResponseKeypath: string;
  readonly serverNonceClaimName: string;
  readonly additionalScopes: string;
  readonly customRequestJWTParameterName: string;
  readonly federationType: FederationType;
  readonly customNonceRequestValues: QueryItems;
  readonly customLoginRequestValues: QueryItems;
  readonly customRefreshRequestValues: QueryItems;
  readonly customFederationUserPreauthenticationRequestValues: QueryItems;
  readonly customLoginRequestHeaderClaims: JsonObject;
  readonly customLoginRequestBodyClaims: JsonObject;
}

/** The defaults the system applies to unset string fields. */
export const LOGIN_CONFIGURATION_DEFAULTS = Object.freeze({
  nonceResponseKeypath: 'Nonce',
  serverNonceClaimName: 'request_nonce',
  additionalScopes: 'urn:apple:platformsso',
  customRequestJWTParameterName: 'assertion',
  federationType: 'none',
} as const);

/**
 * Applies the system's defaults: `nonceEndpointURL` → `tokenEndpointURL`, `nonceResponseKeypath`
 * → `Nonce`, `serverNonceClaimName` → `request_nonce`, `additionalScopes` →
 * `urn:apple:platformsso`, `customRequestJWTParameterName` → `assertion`, `federationType` →
 * `none`, absent query-item lists → `[]`, absent claims → `{}`. `refreshEndpointURL` stays
 * absent when unset (no refresh is attempted then).
 *
 * @example
 * ```ts
 * const { nonceEndpointURL } = resolveLoginConfiguration(parseLoginConfiguration(json));
 * ```
 */
export function resolveLoginConfiguration(config: LoginConfiguration): ResolvedLoginConfiguration {
  const d = LOGIN_CONFIGURATION_DEFAULTS;
  return {
    ...config,
    nonceEndpointURL: config.nonceEndpointURL ?? config.tokenEndpointURL,
    nonceResponseKeypath: config.nonceResponseKeypath ?? d.nonceResponseKeypath,
    serverNonceClaimName: config.serverNonceClaimName ?? d.serverNonceClaimName,
    additionalScopes: config.additionalScopes ?? d.additionalScopes,
    customRequestJWTParameterName:
      config.customRequestJWTParameterName ?? d.customRequestJWTParameterName,
    federationType: config.federationType ?? d.federationType,
    customNonceRequestValues: config.customNonceRequestValues ?? [],
    customLoginRequestValues: config.customLoginRequestValues ?? [],
    customRefreshRequestValues: config.customRefreshRequestValues ?? [],
    customFederationUserPreauthenticationRequestValues:
      config.customFederationUserPreauthenticationRequestValues ?? [],
    customLoginRequestHeaderClaims: config.customLoginRequestHeaderClaims ?? {},
    customLoginRequestBodyClaims: config.customLoginRequestBodyClaims ?? {},
  };
}
