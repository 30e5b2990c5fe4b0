/**
 * Every error the library throws for bad input or a failed exchange is a {@link PssoError} with a
 * stable `code`. Callers branch on `code` (or on the subclass), never on `message`.
 *
 * Messages never contain secrets nor bytes chosen by a peer: what a peer said (a fault reason, a
 * TokenType, an HTTP status) is carried in typed properties, for the caller to show on purpose.
 *
 * Caller misuse (a missing argument, a wrong type) is a `TypeError`, not a PssoError.
 *
 * @module
 */

/** Codes of errors raised while parsing untrusted XML. */
export type XmlErrorCode =
  | 'PSSO_ERR_XML_MALFORMED'
  | 'PSSO_ERR_XML_DOCTYPE'
  | 'PSSO_ERR_XML_ENCODING'
  | 'PSSO_ERR_XML_NAMESPACE'
  | 'PSSO_ERR_XML_UNDEFINED_ENTITY'
  | 'PSSO_ERR_XML_TOO_LARGE'
  | 'PSSO_ERR_XML_TOO_DEEP'
  | 'PSSO_ERR_XML_TOO_MANY_ATTRIBUTES';

/** Codes of errors raised by the bounded HTTP transport. */
export type HttpErrorCode =
  | 'PSSO_ERR_HTTP_INVALID_URL'
  | 'PSSO_ERR_HTTP_INSECURE_URL'
  | 'PSSO_ERR_HTTP_TIMEOUT'
  | 'PSSO_ERR_HTTP_RESPONSE_TOO_LARGE'
  | 'PSSO_ERR_HTTP_REDIRECT'
  | 'PSSO_ERR_HTTP_TOO_MANY_REDIRECTS'
  | 'PSSO_ERR_HTTP_STATUS'
  | 'PSSO_ERR_HTTP_CONTENT_TYPE'
  | 'PSSO_ERR_HTTP_NETWORK';

/** Codes of errors raised while choosing an endpoint from a MEX document. */
export type MexErrorCode =
  | 'PSSO_ERR_MEX_NOT_WSDL'
  | 'PSSO_ERR_MEX_NO_USERNAME_POLICY'
  | 'PSSO_ERR_MEX_NO_MATCHING_BINDING'
  | 'PSSO_ERR_MEX_NO_MATCHING_PORT'
  | 'PSSO_ERR_MEX_INSECURE_ADDRESS';

/** Codes of errors raised while building a RequestSecurityToken. */
export type RstErrorCode = 'PSSO_ERR_RST_PASSWORD_DIGEST_UNSUPPORTED';

/** Codes of errors raised while validating a RequestSecurityTokenResponse. */
export type WsTrustErrorCode =
  | 'PSSO_ERR_SOAP_NOT_ENVELOPE'
  | 'PSSO_ERR_SOAP_VERSION_MISMATCH'
  | 'PSSO_ERR_WSTRUST_RELATES_TO_MISSING'
  | 'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH'
  | 'PSSO_ERR_WSTRUST_TIMESTAMP_MISSING'
  | 'PSSO_ERR_WSTRUST_TIME_INVALID'
  | 'PSSO_ERR_WSTRUST_CREATED_IN_FUTURE'
  | 'PSSO_ERR_WSTRUST_EXPIRED'
  | 'PSSO_ERR_WSTRUST_LIFETIME_NOT_YET_VALID'
  | 'PSSO_ERR_WSTRUST_LIFETIME_EXPIRED'
  | 'PSSO_ERR_WSTRUST_RESPONSE_SHAPE'
  | 'PSSO_ERR_WSTRUST_TOKEN_COUNT'
  | 'PSSO_ERR_WSTRUST_NOT_SAML'
  | 'PSSO_ERR_WSTRUST_TOKEN_TYPE_MISSING'
  | 'PSSO_ERR_WSTRUST_UNKNOWN_TOKEN_TYPE'
  | 'PSSO_ERR_WSTRUST_TOKEN_TYPE_MISMATCH';

/** Codes of SOAP faults answered by the STS. */
export type WsTrustFaultCode = 'PSSO_ERR_WSTRUST_FAULT' | 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION';

/** Codes of errors in a Platform SSO login configuration (each validation failure has its own). */
export type ConfigErrorCode =
  | 'PSSO_ERR_CONFIG_JSON'
  | 'PSSO_ERR_CONFIG_FIELD'
  | 'PSSO_ERR_CONFIG_CLIENT_ID_MISSING'
  | 'PSSO_ERR_CONFIG_ISSUER_MISSING'
  | 'PSSO_ERR_CONFIG_URL_INVALID'
  | 'PSSO_ERR_CONFIG_FEDERATION_TYPE'
  | 'PSSO_ERR_CONFIG_FEDERATION_URN_MISSING'
  | 'PSSO_ERR_CONFIG_MEX_URL_MISSING'
  | 'PSSO_ERR_CONFIG_PREAUTH_URL_MISSING'
  | 'PSSO_ERR_CONFIG_MEX_KEYPATH_MISSING'
  | 'PSSO_ERR_CONFIG_PREDICATE_INVALID'
  | 'PSSO_ERR_KEYS_FILE'
  | 'PSSO_ERR_KEYS_MISSING';

/** Codes of errors of the NSPredicate subset. */
export type PredicateErrorCode = 'PSSO_ERR_PREDICATE_SYNTAX' | 'PSSO_ERR_PREDICATE_EVALUATION';

/** Codes of errors in the Platform SSO login exchange (JOSE, token response). */
export type LoginErrorCode =
  | 'PSSO_ERR_LOGIN_RESPONSE_FORMAT'
  | 'PSSO_ERR_LOGIN_RESPONSE_ALGORITHM'
  | 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT'
  | 'PSSO_ERR_LOGIN_RESPONSE_APU'
  | 'PSSO_ERR_LOGIN_RESPONSE_APV'
  | 'PSSO_ERR_LOGIN_RESPONSE_FIELDS'
  | 'PSSO_ERR_LOGIN_RESPONSE_EMPTY'
  | 'PSSO_ERR_ID_TOKEN_KID'
  | 'PSSO_ERR_ID_TOKEN_SIGNATURE'
  | 'PSSO_ERR_ID_TOKEN_CLAIMS'
  | 'PSSO_ERR_JWKS'
  | 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS'
  | 'PSSO_ERR_LOGIN_FAILED'
  | 'PSSO_ERR_LOGIN_DEVICE_REJECTED'
  | 'PSSO_ERR_NONCE_RESPONSE'
  | 'PSSO_ERR_PREAUTH_RESPONSE'
  | 'PSSO_ERR_KEY_RESPONSE_STATUS'
  | 'PSSO_ERR_KEY_RESPONSE_TYPE'
  | 'PSSO_ERR_KEY_RESPONSE_JWE'
  | 'PSSO_ERR_KEY_RESPONSE_FIELDS'
  | 'PSSO_ERR_KEY_RESPONSE_CERTIFICATE'
  | 'PSSO_ERR_KEY_RESPONSE_TIME'
  | 'PSSO_ERR_KEY_RESPONSE_KEY_MISMATCH';

/** Codes of errors raised while checking a SAML assertion's signature and structure. */
export type SamlErrorCode =
  | 'PSSO_ERR_SAML_MALFORMED'
  | 'PSSO_ERR_SAML_SIGNATURE'
  | 'PSSO_ERR_SAML_GRANT_MISMATCH'
  | 'PSSO_ERR_SAML_ISSUER'
  | 'PSSO_ERR_SAML_AUDIENCE'
  | 'PSSO_ERR_SAML_RECIPIENT'
  | 'PSSO_ERR_SAML_CONDITIONS'
  | 'PSSO_ERR_SAML_SUBJECT'
  | 'PSSO_ERR_SAML_REPLAY';

/** Codes of errors raised by the reference identity provider's own machinery. */
export type IdpErrorCode =
  | 'PSSO_ERR_IDP_CONFIG'
  | 'PSSO_ERR_IDP_DATA_DIR'
  | 'PSSO_ERR_IDP_KEY_FILE_MODE'
  | 'PSSO_ERR_IDP_PORT_IN_USE'
  | 'PSSO_ERR_IDP_STORE_UNAVAILABLE'
  | 'PSSO_ERR_IDP_REPLAY_CACHE_FULL'
  | 'PSSO_ERR_IDP_USER_EXISTS'
  | 'PSSO_ERR_IDP_USER_NOT_FOUND'
  | 'PSSO_ERR_IDP_BUSY'
  | 'PSSO_ERR_IDP_REGISTRATION_INVALID'
  | 'PSSO_ERR_IDP_REQUEST_INVALID'
  | 'PSSO_ERR_IDP_WORKER_EXITED'
  | 'PSSO_ERR_IDP_METRICS_UNAVAILABLE'
  | 'PSSO_ERR_IDP_KEYS_MISSING'
  | 'PSSO_ERR_IDP_KEY_BUNDLE_FORMAT'
  | 'PSSO_ERR_IDP_KEY_BUNDLE_VERSION'
  | 'PSSO_ERR_IDP_KEY_BUNDLE_INVALID'
  | 'PSSO_ERR_IDP_KEY_BUNDLE_CONFLICT';

/** Codes of errors raised by `psso-wstrust check` outside the rules (a saved trace refused). */
export type CheckErrorCode = 'PSSO_ERR_CHECK_TRACE';

/** The closed union of every code a {@link PssoError} can carry. */
export type PssoErrorCode =
  | XmlErrorCode
  | HttpErrorCode
  | MexErrorCode
  | RstErrorCode
  | WsTrustErrorCode
  | WsTrustFaultCode
  | SamlErrorCode
  | IdpErrorCode
  | ConfigErrorCode
  | PredicateErrorCode
  | LoginErrorCode
  | CheckErrorCode;

/**
 * Base class of every error the library throws for bad input or a failed exchange.
 *
 * @example
 * ```ts
 * try {
 *   await wsTrustLogin(options);
 * } catch (err) {
 *   if (err instanceof PssoError && err.code === 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION') {
 *     // wrong username or password: prompt again
 *   }
 * }
 * ```
 */
export class PssoError<C extends PssoErrorCode = PssoErrorCode> extends Error {
  /** A stable machine-readable code, `PSSO_ERR_...`. */
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * The XML was refused: not well-formed, a DOCTYPE, an undefined entity, or past a limit.
 * `line` and `column` are 1-based positions of the offending character in the decoded text.
 *
 * @example
 * ```ts
 * try { parseXml('<a><b></a>'); } catch (err) {
 *   if (err instanceof XmlError) console.log(err.code, err.line, err.column);
 * }
 * ```
 */
export class XmlError extends PssoError<XmlErrorCode> {
  readonly line: number;
  readonly column: number;

  constructor(code: XmlErrorCode, message: string, line: number, column: number) {
    super(code, `${message} (line ${line}, column ${column})`);
    this.line = line;
    this.column = column;
  }
}

/**
 * Why a request failed at the network level (`PSSO_ERR_HTTP_NETWORK`/`PSSO_ERR_HTTP_TIMEOUT`),
 * read from the cause chain: what an engineer fixes differs for each.
 */
export type NetworkReason =
  | 'connection-refused'
  | 'name-not-found'
  | 'unreachable'
  | 'timeout'
  | 'deadline'
  | 'reset'
  | 'tls-untrusted'
  | 'tls-expired'
  | 'tls-not-yet-valid'
  | 'tls-hostname'
  | 'tls-other'
  | 'http-to-tls-port'
  | 'not-tls'
  | 'insecure-url'
  | 'other';

/** The safe, structured cause of an {@link HttpError} (no peer bytes except `host`, ours). */
export interface HttpErrorDetails {
  readonly status?: number | undefined;
  /** The media type the peer declared (`PSSO_ERR_HTTP_CONTENT_TYPE`). */
  readonly contentType?: string | undefined;
  readonly reason?: NetworkReason | undefined;
  /** The Node/OpenSSL code that says why TLS verification failed (`CERT_HAS_EXPIRED`, …). */
  readonly tlsCode?: string | undefined;
  /** The host and port asked for (from the request URL). */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** What to try, constant text written by us. */
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

/**
 * An HTTP exchange failed or broke a limit. `status` is set for `PSSO_ERR_HTTP_STATUS`,
 * `PSSO_ERR_HTTP_CONTENT_TYPE` (with the declared `contentType`, sanitized) and
 * `PSSO_ERR_HTTP_REDIRECT`; network failures and timeouts carry `reason`, `tlsCode`, `host`,
 * `port` and a `hint`.
 *
 * @example
 * ```ts
 * if (err instanceof HttpError && err.reason === 'tls-untrusted') console.log(err.tlsCode, err.hint);
 * ```
 */
export class HttpError extends PssoError<HttpErrorCode> {
  readonly status: number | undefined;
  readonly contentType: string | undefined;
  readonly reason: NetworkReason | undefined;
  readonly tlsCode: string | undefined;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly hint: string | undefined;

  constructor(code: HttpErrorCode, message: string, options?: HttpErrorDetails) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
    this.contentType =
      options?.contentType === undefined
        ? undefined
        : sanitizePeerText(options.contentType).slice(0, 100);
    this.reason = options?.reason;
    this.tlsCode = options?.tlsCode === undefined ? undefined : sanitizePeerText(options.tlsCode);
    this.host = options?.host;
    this.port = options?.port;
    this.hint = options?.hint;
  }
}

/**
 * No usable username/password endpoint could be chosen from a MEX document; the code says why.
 *
 * @example
 * ```ts
 * if (err instanceof MexError && err.code === 'PSSO_ERR_MEX_INSECURE_ADDRESS') { ... }
 * ```
 */
export class MexError extends PssoError<MexErrorCode> {}

/**
 * A RequestSecurityToken could not be built as asked (for example PasswordDigest).
 *
 * @example
 * ```ts
 * if (err instanceof RstError) console.log(err.code);
 * ```
 */
export class RstError extends PssoError<RstErrorCode> {}

/**
 * A WS-Trust response was refused by validation. `detail` carries peer-supplied context (for
 * example the unknown TokenType), truncated and stripped of control characters. `details` holds
 * the values the rule was judged on: for time rules `value`, `notBefore`, `notAfter`, `now`,
 * `skewSeconds` and `offBySeconds`; for a RelatesTo mismatch `expected` and `got`.
 *
 * @example
 * ```ts
 * if (err instanceof WsTrustError && err.code === 'PSSO_ERR_WSTRUST_CREATED_IN_FUTURE') {
 *   console.log(err.details?.value, err.details?.now, err.details?.skewSeconds);
 * }
 * ```
 */
export class WsTrustError extends PssoError<WsTrustErrorCode> {
  readonly detail: string | undefined;
  readonly details: Readonly<Record<string, string | number>> | undefined;

  constructor(
    code: WsTrustErrorCode,
    message: string,
    detail?: string,
    details?: Readonly<Record<string, string | number>>,
  ) {
    super(code, message);
    this.detail = detail === undefined ? undefined : sanitizePeerText(detail);
    this.details =
      details === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(details).map(([k, v]) => [
              k,
              typeof v === 'string' ? sanitizePeerText(v) : v,
            ]),
          );
  }
}

/**
 * The STS answered with a SOAP fault. `faultCode`, `subcode` and `reason` are the fault's own
 * values (sanitized). The code is `PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION` when the subcode ends
 * in `FailedAuthentication` (bad credentials: prompt again), else `PSSO_ERR_WSTRUST_FAULT`.
 *
 * @example
 * ```ts
 * if (err instanceof WsTrustFaultError) console.log(err.subcode, err.reason);
 * ```
 */
export class WsTrustFaultError extends PssoError<WsTrustFaultCode> {
  readonly faultCode: string;
  readonly subcode: string | undefined;
  readonly reason: string | undefined;

  constructor(
    code: WsTrustFaultCode,
    fault: { faultCode: string; subcode?: string | undefined; reason?: string | undefined },
  ) {
    super(
      code,
      code === 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION'
        ? 'The STS refused the credentials (FailedAuthentication fault)'
        : 'The STS answered with a SOAP fault',
    );
    this.faultCode = sanitizePeerText(fault.faultCode);
    this.subcode = fault.subcode === undefined ? undefined : sanitizePeerText(fault.subcode);
    this.reason = fault.reason === undefined ? undefined : sanitizePeerText(fault.reason);
  }
}

/**
 * A Platform SSO login configuration (or the device key file) was refused; the code names the rule.
 *
 * @example
 * ```ts
 * if (err instanceof ConfigError && err.code === 'PSSO_ERR_CONFIG_MEX_URL_MISSING') { ... }
 * ```
 */
export class ConfigError extends PssoError<ConfigErrorCode> {}

/**
 * An NSPredicate could not be parsed (`position` is the 0-based offset in the predicate text) or
 * evaluated.
 *
 * @example
 * ```ts
 * if (err instanceof PredicateError) console.log(err.code, err.position);
 * ```
 */
export class PredicateError extends PssoError<PredicateErrorCode> {
  readonly position: number | undefined;

  constructor(code: PredicateErrorCode, message: string, position?: number) {
    super(code, position === undefined ? message : `${message} (at position ${position})`);
    this.position = position;
  }
}

/** What the invalidCredentialPredicate made of a token endpoint's error response (§3.7). */
export interface PredicateVerdict {
  /** The predicate text, or `undefined` when the configuration has none (401 ⇒ credentials). */
  readonly expression: string | undefined;
  /** Whether it matched the error response (`false` when the body was not a JSON object). */
  readonly matched: boolean;
  /** `credentials`: macOS asks for the password again; `other`: a plain failure. */
  readonly verdict: 'credentials' | 'other';
}

/** The token endpoint's error response, peer strings sanitized. */
export interface TokenEndpointFailure {
  readonly status?: number | undefined;
  readonly error?: string | undefined;
  readonly errorDescription?: string | undefined;
  readonly suberror?: string | undefined;
  readonly predicate?: PredicateVerdict | undefined;
  readonly cause?: unknown;
}

/**
 * The Platform SSO login exchange failed: nonce, preauthentication, token response, id_token.
 * `status` is the HTTP status when one was involved; a token endpoint refusal also carries the
 * `error`, `errorDescription` and `suberror` it sent (sanitized) and the `predicate` verdict.
 *
 * @example
 * ```ts
 * if (err instanceof LoginError && err.suberror === 'device_authentication_failed') { ... }
 * ```
 */
export class LoginError extends PssoError<LoginErrorCode> {
  readonly status: number | undefined;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly suberror: string | undefined;
  readonly predicate: PredicateVerdict | undefined;

  constructor(code: LoginErrorCode, message: string, options?: TokenEndpointFailure) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
    const clean = (v: string | undefined) => (v === undefined ? undefined : sanitizePeerText(v));
    this.error = clean(options?.error);
    this.errorDescription = clean(options?.errorDescription);
    this.suberror = clean(options?.suberror);
    this.predicate = options?.predicate;
  }
}

/**
 * A SAML assertion was refused: not a single well-formed assertion (wrapping, duplicate ids,
 * trailing content: `PSSO_ERR_SAML_MALFORMED`), or not signed by a trusted key with an allowed
 * algorithm over the whole assertion (`PSSO_ERR_SAML_SIGNATURE`).
 *
 * @example
 * ```ts
 * if (err instanceof SamlError && err.code === 'PSSO_ERR_SAML_SIGNATURE') { ... }
 * ```
 */
export class SamlError extends PssoError<SamlErrorCode> {
  /**
   * For an algorithm refusal: the algorithm found, from our own vocabulary (its URI, e.g.
   * `http://www.w3.org/2000/09/xmldsig#rsa-sha1`), or `unknown (not allowed)`.
   */
  readonly algorithm: string | undefined;
  /** For an unknown algorithm: the peer's URI, sanitized and capped. */
  readonly peerAlgorithm: string | undefined;
  /** What an administrator can do about it (our own text). */
  readonly remediation: string | undefined;

  constructor(
    code: SamlErrorCode,
    message: string,
    details?: { algorithm?: string; peerAlgorithm?: string; remediation?: string },
  ) {
    super(code, message);
    this.algorithm = details?.algorithm;
    this.peerAlgorithm =
      details?.peerAlgorithm === undefined
        ? undefined
        : sanitizePeerText(details.peerAlgorithm).slice(0, 120);
    this.remediation = details?.remediation;
  }
}

/**
 * The reference IdP could not do its own work: bad configuration, an unusable data folder, the
 * replay/lockout store unreachable or full (the STS then fails closed), user management conflicts.
 *
 * @example
 * ```ts
 * if (err instanceof IdpError && err.code === 'PSSO_ERR_IDP_STORE_UNAVAILABLE') { ... }
 * ```
 */
export class IdpError extends PssoError<IdpErrorCode> {}

/**
 * The reference IdP refused a request before any route saw it (a JSON body that does not parse):
 * `PSSO_ERR_IDP_REQUEST_INVALID`, answered `400 invalid_request` (`statusCode`).
 *
 * @example
 * ```ts
 * done(new IdpRequestError('the JSON body does not parse'), undefined);
 * ```
 */
export class IdpRequestError extends IdpError {
  /** The HTTP status the server answers. */
  readonly statusCode = 400;

  constructor(message: string, options?: { cause?: unknown }) {
    super('PSSO_ERR_IDP_REQUEST_INVALID', message, options);
  }
}

/**
 * `psso-wstrust check` could not use its input: a saved HAR trace that is not JSON, too large, or
 * not the shape of a HAR 1.2 log (`PSSO_ERR_CHECK_TRACE`). The message names the field, never
 * the file's bytes.
 *
 * @example
 * ```ts
 * try { fromHar(text); } catch (err) {
 *   if (err instanceof CheckError && err.code === 'PSSO_ERR_CHECK_TRACE') console.log(err.message);
 * }
 * ```
 */
export class CheckError extends PssoError<CheckErrorCode> {}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Makes peer-supplied text safe to show: control characters removed, white space collapsed,
 * at most 200 characters.
 */
export function sanitizePeerText(text: string): string {
  const clean = text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
