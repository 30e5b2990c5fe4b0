/**
 * The Platform SSO rules (with `--config`): the server nonce request, and the token request that
 * carries the federated assertion, with what the login configuration's
 * `invalidCredentialPredicate` makes of an error answer.
 *
 * @module
 */
import type { ResolvedLoginConfiguration } from '../../psso/config/types.js';
import { processNonceResponse } from '../../psso/flow/nonce.js';
import { parsePredicate } from '../../psso/predicate/index.js';
import { type RawExchange, recordedResponse } from '../record.js';
import type { RuleResult } from '../report.js';
import { describe, result, rule, skipped } from './rule.js';

export const NONCE = rule(
  'psso.nonce',
  'psso-nonce',
  'Server nonce request',
  'macOS POSTs grant_type=srv_challenge to the nonce endpoint and needs a 2xx JSON answer with the nonce at nonceResponseKeypath (default Nonce).',
  'HTTP 2xx with a JSON nonce',
  {
    adfs: 'The nonce endpoint belongs to the Platform SSO IdP (Microsoft Entra or yours), not AD FS: check nonceEndpointURL in the login configuration.',
    generic:
      'Make the nonce endpoint answer 200 with {"Nonce": "…"} (or set nonceResponseKeypath).',
  },
);

export const TOKEN = rule(
  'psso.token',
  'psso-token',
  'Token request with the federated assertion',
  'macOS POSTs the signed login JWT carrying the SAML assertion; a 400/401 the invalidCredentialPredicate matches (or any 401 without one) asks the user for the password again, anything else fails.',
  'HTTP 2xx with an encrypted login response',
  {
    adfs: 'Read error/suberror: an unknown device needs re-registration; a SAML error usually means the token-signing certificate, the issuer or the audience the IdP expects does not match AD FS (Get-AdfsCertificate -CertificateType Token-Signing, Get-AdfsProperties | fl Identifier).',
    generic:
      'Read error, error_description and suberror from the token endpoint; check the device registration, the client id and that the IdP trusts the federation’s signing certificate and issuer.',
  },
);

/**
 * Judges the Platform SSO exchanges (when `--config` was given).
 *
 * @example
 * ```ts
 * judgePsso(raw, config, 'skipped: the WS-Trust step failed');
 * ```
 */
export function judgePsso(
  exchanges: readonly RawExchange[],
  config: ResolvedLoginConfiguration | undefined,
  tokenSkippedBecause: string | undefined,
): RuleResult[] {
  if (config === undefined) return [];
  const out: RuleResult[] = [];
  const n = exchanges.find((x) => x.step === 'psso-nonce');
  const nonceResponse = n === undefined ? undefined : recordedResponse(n);
  if (n === undefined) out.push(skipped(NONCE, 'no nonce request was made'));
  else if (nonceResponse === undefined)
    out.push(
      result(NONCE, {
        status: 'fail',
        got: `${n.error?.code}: ${n.error?.message}`,
        evidence: [n.index],
      }),
    );
  else {
    try {
      processNonceResponse(nonceResponse, config);
      out.push(
        result(NONCE, {
          status: 'pass',
          got: `HTTP ${nonceResponse.status}, nonce received`,
          evidence: [n.index],
        }),
      );
    } catch (error) {
      out.push(
        result(NONCE, {
          status: 'fail',
          got: `HTTP ${nonceResponse.status}: ${describe(error)}`,
          evidence: [n.index],
        }),
      );
    }
  }
  const t = exchanges.find((x) => x.step === 'psso-token');
  if (t === undefined) {
    out.push(skipped(TOKEN, tokenSkippedBecause ?? 'no token request was made'));
    return out;
  }
  if (t.response === undefined) {
    out.push(
      result(TOKEN, {
        status: 'fail',
        got: `${t.error?.code}: ${t.error?.message}`,
        evidence: [t.index],
      }),
    );
    return out;
  }
  const status = t.response.status;
  if (status >= 200 && status <= 299) {
    const jwe = t.response.body.trim().split('.').length === 5;
    out.push(
      result(TOKEN, {
        status: jwe ? 'pass' : 'fail',
        got: `HTTP ${status}, ${jwe ? 'an encrypted login response (JWE)' : 'a body that is not a JWE'}`,
        evidence: [t.index],
      }),
    );
    return out;
  }
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(t.response.body);
    json =
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
  } catch {
    json = undefined;
  }
  const field = (k: string) =>
    typeof json?.[k] === 'string' ? (json[k] as string).slice(0, 300) : undefined;
  const predicate = config.invalidCredentialPredicate;
  let verdict: string;
  if (status !== 400 && status !== 401)
    verdict = 'macOS reports a failed login (not a credential error)';
  else if (predicate === undefined)
    verdict =
      status === 401
        ? 'no invalidCredentialPredicate: macOS treats any 401 as wrong credentials'
        : 'a failed login';
  else {
    let matched = false;
    try {
      matched = json !== undefined && parsePredicate(predicate).evaluate(json);
    } catch {
      matched = false;
    }
    verdict = `invalidCredentialPredicate ${JSON.stringify(predicate)} ${matched ? 'matches: macOS asks for the password again' : 'does not match: macOS reports a failed login'}`;
  }
  const parts = [
    `HTTP ${status}`,
    `error ${field('error') ?? '(none)'}`,
    ...(field('error_description') === undefined
      ? []
      : [`error_description ${field('error_description')}`]),
    ...(field('suberror') === undefined ? [] : [`suberror ${field('suberror')}`]),
    verdict,
  ];
  out.push(result(TOKEN, { status: 'fail', got: parts.join('; '), evidence: [t.index] }));
  return out;
}
