/**
 * `psso-wstrust/jose`: the jose part of the client library that the reference IdP
 * (psso-wstrust-idp) and the CLI (psso-wstrust-cli) build on. A deliberate, documented public
 * entry: every name is listed (no `export *`) and pinned by test/exports.test.ts.
 *
 * @example
 * ```ts
 * import * as jose from 'psso-wstrust/jose';
 * ```
 */
export { EMBEDDED_APV_PREFIX, parseEmbeddedApv } from './embedded-apv.js';
export { assertionAlgorithm, EMBEDDED_ASSERTION_TYP, MIN_RSA_BITS } from './embedded-assertion.js';
export { ENCRYPTED_ASSERTION_TYP, MAX_ASSERTION_PASSWORD_BYTES } from './encrypted-assertion.js';
export { encryptHpkeResponse, type HpkePsk, MAX_HPKE_INFO_BYTES } from './hpke/encrypt.js';
export {
  HPKE_SUITES,
  type HpkeKeyType,
  type HpkeSuiteName,
  hpkeCipherSuite,
  hpkeKeyId,
  hpkeKeyType,
  isHpkeSuite,
} from './hpke/suites.js';
export { keyId, x963 } from './key-id.js';
export { encryptLoginResponse } from './login-response.js';
