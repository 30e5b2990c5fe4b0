/**
 * The `$schema` a login configuration file declares: the `$id` of `schema/login-config.v1.json`
 * (JSON Schema draft 2020-12 of every field of docs/PLATFORM-SSO.md §2 this project reads). A file may
 * carry it; `parseLoginConfiguration` ignores its value and keeps it.
 *
 * @module
 */

/**
 * The `$id` of the login configuration schema, written as `$schema` by `psso init`.
 *
 * @example
 * ```ts
 * const file = { $schema: LOGIN_CONFIG_SCHEMA_ID, clientID: 'psso', … };
 * ```
 */
export const LOGIN_CONFIG_SCHEMA_ID =
  'https://github.com/psso-wstrust/psso-wstrust/schema/login-config.v1.json';
