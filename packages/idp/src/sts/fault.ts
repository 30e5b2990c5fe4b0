/**
 * STS faults: what goes on the wire (a SOAP 1.2 fault shaped like AD FS's) apart from what goes to
 * the log. The wire never carries internal detail; `label`, one of the closed list of reasons in
 * ./fault-reasons.ts, feeds the logs and metrics and decides the wire fault.
 *
 * @module
 */

import type { WsTrustVersion } from 'psso-wstrust';
import { NS_WSA, NS_WSSE, wsTrustConstants } from 'psso-wstrust/protocol';
import { STS_FAULT_REASONS, type StsFaultReason } from './fault-reasons.js';

export type { StsFaultReason } from './fault-reasons.js';

/** The SOAP 1.2 fault codes the STS uses. */
export type SoapFaultCode = 'Sender' | 'Receiver' | 'MustUnderstand' | 'VersionMismatch';

/**
 * A refusal raised inside the pipeline (caught by it: never leaves `handleRst`). The wire fault
 * is the reason's, from {@link STS_FAULT_REASONS}.
 *
 * @example
 * ```ts
 * if (!first) throw new StsFault('replayed-nonce');
 * throw new StsFault('must-understand', `${block.ns} ${block.local}`);
 * ```
 */
export class StsFault extends Error {
  /** The wire fault of {@link label}. */
  readonly wire: WireFault;

  constructor(
    /** Stable label for metrics and logs, e.g. `replayed-nonce`. */
    readonly label: StsFaultReason,
    /** Internal detail for the log only. */
    readonly detail?: string,
  ) {
    super(label);
    this.wire = WIRE[STS_FAULT_REASONS[label].wire];
  }
}

/** What the client sees. */
export interface WireFault {
  readonly code: SoapFaultCode;
  /**
   * Subcode: `wsse` (WS-Security namespace), `trust` (the version's trust namespace) or `wsa`
   * (WS-Addressing 1.0) + local name.
   */
  readonly subcode?: { readonly ns: 'wsse' | 'trust' | 'wsa'; readonly local: string };
  readonly reason: string;
  /** With `wsa:EndpointUnavailable`: the `<wsa:RetryAfter>` detail (milliseconds). */
  readonly retryAfterMs?: number;
}

/** Wire faults, one per kind of refusal, worded like AD FS's. */
export const WIRE = Object.freeze({
  failedAuthentication: {
    code: 'Sender',
    subcode: { ns: 'wsse', local: 'FailedAuthentication' },
    reason: 'MSIS7068: Access denied.',
  },
  invalidSecurity: {
    code: 'Sender',
    subcode: { ns: 'wsse', local: 'InvalidSecurity' },
    reason: 'An error was discovered processing the <wsse:Security> header.',
  },
  unsupportedToken: {
    code: 'Sender',
    subcode: { ns: 'wsse', local: 'UnsupportedSecurityToken' },
    reason: 'An unsupported token was provided.',
  },
  messageExpired: {
    code: 'Sender',
    subcode: { ns: 'wsse', local: 'MessageExpired' },
    reason: 'The message has expired.',
  },
  requestFailed: {
    code: 'Sender',
    subcode: { ns: 'trust', local: 'RequestFailed' },
    reason: 'MSIS3127: The specified request failed.',
  },
  invalidRequest: {
    code: 'Sender',
    subcode: { ns: 'trust', local: 'InvalidRequest' },
    reason: 'The request was invalid or malformed.',
  },
  mustUnderstand: { code: 'MustUnderstand', reason: 'A mandatory header was not understood.' },
  versionMismatch: { code: 'VersionMismatch', reason: 'Only SOAP 1.2 is supported.' },
  /**
   * The server is busy (the password-check queue is full): WS-Addressing 1.0 SOAP binding §6.4.6
   * "Endpoint Unavailable", a Receiver fault; the pipeline adds the RetryAfter detail.
   */
  busy: {
    code: 'Receiver',
    subcode: { ns: 'wsa', local: 'EndpointUnavailable' },
    reason: 'The server is too busy to process the message; retry later.',
  },
  unavailable: {
    code: 'Receiver',
    subcode: { ns: 'trust', local: 'RequestFailed' },
    reason: 'MSIS3127: The specified request failed.',
  },
} satisfies Record<string, WireFault>);

/** Resolves a subcode's namespace for `version`. */
export function subcodeNamespace(
  subcode: NonNullable<WireFault['subcode']>,
  version: WsTrustVersion,
): string {
  if (subcode.ns === 'wsa') return NS_WSA;
  return subcode.ns === 'wsse' ? NS_WSSE : wsTrustConstants(version).ns;
}
