/**
 * `psso-wstrust-idp/admin`: what the CLI's admin commands (`idp users`, `idp keys`, `idp pki`,
 * `idp serve`, …) need from the reference IdP beyond `startIdp`: opening the state layer, users
 * and devices, the key bundle, the PKI, the configuration file and the cluster. Every name is
 * listed (no `export *`) and pinned by test/exports.test.ts.
 *
 * @example
 * ```ts
 * import { openIdpState } from 'psso-wstrust-idp/admin';
 * ```
 */
export { forkWorkers, isIdpWorker, prepareDataDir, reportReady } from './cluster.js';
export { idpEndpoints, parsePublicUrl, pkiOptionsFor } from './endpoints.js';
export { FAULT_SWITCHES, parseFaultSwitches } from './faults/injection.js';
export { MAX_KEY_BUNDLE_BYTES, serializeKeyBundle, summarizeKeys } from './keys/bundle-format.js';
export { probePort } from './listen.js';
export { canonicalTlsName } from './pki-names.js';
export { pssoConfiguration } from './routes/psso-configuration.js';
export { isPostgresUrl, redactDatabaseUrl } from './state/postgres/url.js';
export type {
  DeviceRecord,
  SmartCardCaRecord,
  StoredUser,
  UserKeyRecord,
} from './state/records.js';
export { RedisLockoutStore } from './state/redis/lockout.js';
export { DEMO_UPN, requireUpn, validateUpn } from './state/users.js';
export { createFileOnce, defaultDataDir } from './store/data-dir.js';
export { readSavedPort, savePort } from './store/server-state.js';
export type { TlsFiles } from './tls-files.js';
