/**
 * A usage error: bad arguments. The CLI exits with 2.
 *
 * @module
 */
export class UsageError extends Error {
  override get name(): string {
    return 'UsageError';
  }
}
