/**
 * psso-wstrust/idp: the reference identity provider — user realm, MEX, WS-Trust 1.3 and 2005 STS
 * issuing signed SAML 1.1/2.0 assertions — to run in-process (tests start it on port 0).
 *
 * @example
 * ```ts
 * import { startIdp } from 'psso-wstrust/idp';
 * const idp = await startIdp({ dataDir: '/tmp/idp', port: 0 });
 * console.log(idp.mexUrl, idp.caFile, idp.demoUser);
 * await idp.close();
 * ```
 *
 * @module
 */

export {
  DEFAULT_FAIR_QUEUE_LIMITS,
  FairQueue,
  type FairQueueLimits,
  IdpBusyError,
} from './auth/fair-queue.js';
export {
  PasswordCheck,
  type PasswordCheckDeps,
  type PasswordCheckResult,
} from './auth/password-check.js';
export { requestSource, UNKNOWN_SOURCE } from './auth/source.js';
export { canonicalDomain, canonicalUsername, isUpnShaped } from './auth/username.js';
export { checkConfig, DEFAULT_CONFIG, type IdpConfig, loadConfig } from './config.js';
export { type IdpEndpoints, idpEndpoints } from './endpoints.js';
export { type FaultInjection, parseFaultSwitches } from './faults/injection.js';
export {
  type ExportOptions,
  exportIdpKeys,
  type ImportOptions,
  type ImportResult,
  importIdpKeys,
} from './keys/bundle.js';
export {
  type IdpKeyBundle,
  type IdpKeys,
  type IdpKeysSummary,
  parseKeyBundle,
  serializeKeyBundle,
} from './keys/bundle-format.js';
export { jsonLogger, type Logger, type LogLevel, silentLogger } from './log.js';
export { mexDocument, STS_PATHS } from './mex-document.js';
export { defaultDataDir, type IdpPki, loadOrCreatePki, type PkiOptions } from './pki.js';
export { type RealmSettings, userRealm } from './realm.js';
export { type IdpOptions, type RunningIdp, startIdp } from './server.js';
export type { IdpState, OpenIdpStateOptions } from './state/index.js';
export { openIdpState } from './state/open.js';
