/**
 * What a MEX document yields.
 *
 * @module
 */
import type { WsTrustVersion } from '../protocol/wstrust.js';

/** A WS-Trust endpoint chosen from a MEX document. */
export interface MexEndpoint {
  readonly version: WsTrustVersion;
  /** The endpoint URL (`wsa10:EndpointReference/wsa10:Address`, trimmed). */
  readonly address: string;
  /** The binding's `soap12:operation/@soapAction` (the version's RST/Issue action). */
  readonly soapAction: string;
}

/** Why a port that otherwise qualified was not listed. */
export type MexSkipReason = 'insecure-address' | 'invalid-address';

/** A port that matched a policy and a binding but was not listed. */
export interface MexSkippedEndpoint {
  readonly version: WsTrustVersion;
  /** The address as written (trimmed). */
  readonly address: string;
  readonly reason: MexSkipReason;
}

/** The endpoints of a MEX document. */
export interface MexMetadata {
  /** Username/password (usernamemixed) endpoints, in preference order: 1.3 first, then 2005. */
  readonly usernamePassword: MexEndpoint[];
  /** Windows-integrated (Negotiate) endpoints, for diagnostics; never chosen for a password. */
  readonly windowsIntegrated: MexEndpoint[];
  /** Username/password ports refused (http:// or unparsable addresses), for diagnostics. */
  readonly skipped: MexSkippedEndpoint[];
}
