/**
 * `psso-wstrust/soap`: the soap part of the client library that the reference IdP
 * (psso-wstrust-idp) and the CLI (psso-wstrust-cli) build on. A deliberate, documented public
 * entry: every name is listed (no `export *`) and pinned by test/exports.test.ts.
 *
 * @example
 * ```ts
 * import * as soap from 'psso-wstrust/soap';
 * ```
 */
export { readSoapEnvelope } from './envelope.js';
