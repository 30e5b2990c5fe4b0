/**
 * A refusal of a Platform SSO token request: what the client sent cannot be granted. Its label,
 * one of the closed list of reasons in ./refusal-reasons.ts, feeds the logs and metrics and decides
 * the wire answer (status, OAuth `error`, and whether it is a device/request failure, which adds
 * `suberror: device_authentication_failed`); the detail goes to the log only.
 *
 * @module
 */
import { REFUSAL_REASONS, REFUSAL_WIRE, type RefusalReason } from './refusal-reasons.js';

export type { RefusalReason } from './refusal-reasons.js';

/** A refused token request (never a failure of the IdP itself); caught by the endpoint. */
export class Refusal extends Error {
  readonly status: 400 | 401;
  readonly error: 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type';
  /** A device or request failure (`suberror: device_authentication_failed`). */
  readonly device: boolean;

  /**
   * @example
   * ```ts
   * throw new Refusal('unknown-device'); // 401 invalid_grant, device_authentication_failed
   * throw new Refusal('jwt-alg', String(header.alg));
   * ```
   */
  constructor(
    /** Stable label for metrics and logs, e.g. `server-nonce-replayed`. */
    readonly label: RefusalReason,
    /** Internal detail for the log only. */
    readonly detail?: string,
  ) {
    super(label);
    const wire = REFUSAL_WIRE[REFUSAL_REASONS[label].wire];
    this.status = wire.status;
    this.error = wire.error;
    this.device = wire.device;
  }
}
