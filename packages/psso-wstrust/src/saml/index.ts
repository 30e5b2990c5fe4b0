/**
 * `psso-wstrust/saml`: the saml part of the client library that the reference IdP
 * (psso-wstrust-idp) and the CLI (psso-wstrust-cli) build on. A deliberate, documented public
 * entry: every name is listed (no `export *`) and pinned by test/exports.test.ts.
 *
 * @example
 * ```ts
 * import * as saml from 'psso-wstrust/saml';
 * ```
 */
export { sha256RemediationText } from './algorithms.js';
export { validateSamlBearer } from './bearer.js';
export { type BearerRuleResult, evaluateSamlBearerRules } from './bearer-rules.js';
export { type AssertionInspection, inspectAssertion } from './inspect.js';
