/**
 * The IdP's state in one layer: one interface per kind (./types.ts), the records they hold
 * (./records.ts), and {@link openIdpState}, which chooses the backends (SQLite, PostgreSQL, Redis).
 *
 * @module
 */
export type { DeviceEncryptionAlg } from './device-encryption.js';
export { p256Kid, p256PublicKey } from './devices.js';
export { lockoutKey, normalizeUsername, replayKey } from './key.js';
export { MemoryLockoutStore, type MemoryLockoutStoreOptions } from './memory/lockout.js';
export { MemoryReplayCache, type MemoryReplayCacheOptions } from './memory/replay.js';
export { consumedNonces } from './nonces.js';
export { type OpenIdpStateOptions, openIdpState } from './open.js';
export {
  DEFAULT_SCRYPT_PARAMS,
  DUMMY_HASH,
  hashPassword,
  type PasswordHasher,
  type ScryptParams,
  scryptHasher,
  verifyPassword,
} from './password.js';
export type * from './records.js';
export { DEFAULT_RELYING_PARTY } from './relying-parties.js';
export type * from './types.js';
export { MAX_FAMILIAR_SOURCES } from './types.js';
export { DEMO_UPN, requireUpn, validateUpn } from './users.js';
