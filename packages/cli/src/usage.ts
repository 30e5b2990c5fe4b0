/**
 * A usage error: bad arguments. The CLI exits with 2.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';

/**
 * Whether `error` refuses a device or user key an administrator gave
 * (`PSSO_ERR_IDP_REGISTRATION_INVALID`): the CLI reports it as a usage error.
 *
 * @example
 * ```ts
 * if (isRegistrationInvalid(e)) throw new UsageError(e.message);
 * ```
 */
export function isRegistrationInvalid(error: unknown): error is IdpError {
  return error instanceof IdpError && error.code === 'PSSO_ERR_IDP_REGISTRATION_INVALID';
}

/**
 * A usage error: bad arguments (exit 2).
 *
 * @example
 * ```ts
 * throw new UsageError('give one of --jwk FILE and --keys FILE');
 * ```
 */
export class UsageError extends Error {
  override get name(): string {
    return 'UsageError';
  }
}
