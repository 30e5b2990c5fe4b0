/**
 * The Platform SSO login configuration: types, defaults, loading and serialization.
 *
 * @module
 */
export * from './load.js';
export * from './types.js';
