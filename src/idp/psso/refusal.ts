/**
 * A refusal of a Platform SSO token request: what the client sent cannot be granted. It carries
 * the wire answer (status, OAuth `error`, whether it is a device/request failure, which adds
 * `suberror: device_authentication_failed`) and a label for logs and metrics; the detail goes to
 * the log only.
 *
 * @module
 */

/** A refused token request (never a failure of the IdP itself). */
export class Refusal extends Error {
  /**
   * @example
   * ```ts
   * throw new Refusal('unknown-device', 401, 'invalid_grant', true);
   * ```
   */
  constructor(
    readonly label: string,
    readonly status: 400 | 401,
    readonly error: 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type',
    readonly device: boolean,
    readonly detail?: string,
  ) {
    super(label);
  }
}
