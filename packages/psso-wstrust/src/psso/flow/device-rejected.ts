/**
 * Telling a refused device from refused credentials (docs/PLATFORM-SSO.md §3.7): a token endpoint that
 * answers 400/401 with `suberror: device_authentication_failed` (Entra's convention, and the
 * reference IdP's for an unknown `kid`, a bad request signature, another `client_id`…) refused the
 * device, not the user. Unless the configuration's invalidCredentialPredicate says it is a
 * credential error, the client reports it as `PSSO_ERR_LOGIN_DEVICE_REJECTED` with what the IdP
 * said, instead of a generic failure or "the credentials are not correct".
 *
 * @module
 */
import { LoginError, type PredicateVerdict } from '../../errors.js';
import { parsePredicate } from '../predicate/index.js';

/** The `suberror` of a device or request authentication failure. */
export const DEVICE_AUTHENTICATION_FAILED = 'device_authentication_failed';

/**
 * The `PSSO_ERR_LOGIN_DEVICE_REJECTED` error for a device refusal, or `undefined` when the answer
 * is something else (not 400/401, another suberror, or the predicate calls it a credential error).
 * `predicate` in the error is what macOS would have decided (with no predicate, a 401 is taken as
 * a credential error there).
 *
 * @example
 * ```ts
 * const rejected = deviceRejection(401, json, said, config.invalidCredentialPredicate);
 * if (rejected !== undefined) return rejected;
 * ```
 */
export function deviceRejection(
  status: number,
  json: Record<string, unknown> | undefined,
  said: {
    readonly status: number;
    readonly error?: string;
    readonly errorDescription?: string;
    readonly suberror?: string;
  },
  expression: string | undefined,
): LoginError | undefined {
  if (status !== 400 && status !== 401) return undefined;
  if (said.suberror !== DEVICE_AUTHENTICATION_FAILED) return undefined;
  let predicate: PredicateVerdict;
  if (expression === undefined)
    predicate = { expression, matched: false, verdict: status === 401 ? 'credentials' : 'other' };
  else {
    const matched = json !== undefined && parsePredicate(expression).evaluate(json);
    if (matched) return undefined;
    predicate = { expression, matched, verdict: 'other' };
  }
  return new LoginError(
    'PSSO_ERR_LOGIN_DEVICE_REJECTED',
    'The token endpoint refused this device (suberror device_authentication_failed): it is not registered at the IdP, or not with these keys or this client_id',
    { ...said, predicate },
  );
}
