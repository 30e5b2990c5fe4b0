/**
 * HTTP media types of the exchanges.
 *
 * @module
 */

/** Content-Type of a SOAP 1.2 request. */
export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';
/** Content-Type of a SOAP 1.1 request. */
export const SOAP11_CONTENT_TYPE = 'text/xml; charset=utf-8';
