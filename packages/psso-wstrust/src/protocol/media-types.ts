/**
 * HTTP media types of the exchanges.
 *
 * @module
 */

/** Content-Type of a SOAP 1.2 request. */
export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';
/** Content-Type of a SOAP 1.1 request. */
export const SOAP11_CONTENT_TYPE = 'text/xml; charset=utf-8';
/** Content-Type of every Platform SSO form POST (nonce, login, refresh, key requests). */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** Accept of the JSON answers (nonce, preauthentication, JWKS, discovery). */
export const JSON_MEDIA_TYPE = 'application/json';
/** Accept (and Content-Type) of a login or refresh response (docs/PLATFORM-SSO.md §3.6). */
export const LOGIN_RESPONSE_MEDIA_TYPE = 'application/platformsso-login-response+jwt';
