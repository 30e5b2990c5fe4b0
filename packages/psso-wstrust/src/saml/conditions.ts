/**
 * The `Conditions` of a SAML bearer assertion, evaluated as SAML core says a relying party must:
 * the validity window, then every condition, each one understood or the assertion is invalid.
 *
 * SAML 2.0 (core §2.5.1): `AudienceRestriction` — the assertion is addressed to any Audience it
 * lists (OR within one element), and when there are several elements each must list us (they are
 * ANDed, §2.5.1.4); `OneTimeUse` — understood (the token endpoint accepts an assertion id once
 * anyway); `ProxyRestriction` — understood, its Audience is where a *subsequent* assertion may go
 * and never addresses this one (§2.5.1.6); anything else, `Condition` with an `xsi:type`
 * included, is a condition we cannot evaluate, which makes the assertion invalid (§2.5.1.1).
 *
 * SAML 1.1 (core §2.3.2.1): `AudienceRestrictionCondition` (the same AND rule),
 * `DoNotCacheCondition` understood (nothing is cached), anything else invalid.
 *
 * At least one audience restriction is required: the token endpoint accepts only an assertion
 * addressed to it.
 *
 * @module
 */

import { SamlError, type SamlErrorCode } from '../errors.js';
import { parseDateTime } from '../lib/time.js';
import type { SamlVersion } from '../protocol/grant-types.js';
import { NS_SAML1, NS_SAML2 } from '../protocol/namespaces.js';
import type { XmlElement } from '../xml/dom.js';
import { attribute, childElements, textOf } from '../xml/query.js';

/** What the conditions are checked against. */
export interface ConditionsPolicy {
  /** The Audience this relying party answers to. */
  readonly audience: string;
  readonly now: Date;
  readonly skewMs: number;
  /** Longest acceptable NotBefore → NotOnOrAfter span. Default 24 h. */
  readonly maxValidityMs?: number;
}

const AUDIENCE_RESTRICTION = {
  '1.1': 'AudienceRestrictionCondition',
  '2.0': 'AudienceRestriction',
};
/** Conditions understood that restrict nothing at a token endpoint. */
const UNDERSTOOD = {
  '1.1': new Set(['DoNotCacheCondition']),
  '2.0': new Set(['OneTimeUse', 'ProxyRestriction']),
};

/**
 * Checks one `Conditions` element; returns its NotOnOrAfter.
 *
 * @throws {SamlError} `PSSO_ERR_SAML_CONDITIONS` (window, unknown condition) or
 *   `PSSO_ERR_SAML_AUDIENCE` (no audience restriction, or one that does not name us).
 * @example
 * ```ts
 * const { notOnOrAfter } = checkConditions(conditions, '2.0', { audience, now, skewMs: 120_000 });
 * ```
 */
export function checkConditions(
  c: XmlElement,
  version: SamlVersion,
  policy: ConditionsPolicy,
): { notOnOrAfter: Date } {
  const window = checkWindow(c, policy);
  checkRestrictions(c, version, policy);
  return window;
}

/**
 * The conditions other than the window: every one understood, every audience restriction naming
 * `policy.audience`, at least one of them.
 *
 * @throws {SamlError} `PSSO_ERR_SAML_CONDITIONS` or `PSSO_ERR_SAML_AUDIENCE`.
 * @example
 * ```ts
 * checkRestrictions(conditions, '1.1', { audience: 'urn:federation:MicrosoftOnline' });
 * ```
 */
export function checkRestrictions(
  c: XmlElement,
  version: SamlVersion,
  policy: Pick<ConditionsPolicy, 'audience'>,
): void {
  const ns = version === '1.1' ? NS_SAML1 : NS_SAML2;
  let restrictions = 0;
  const seen = new Set<string>();
  for (const condition of childElements(c)) {
    const ours = condition.ns === ns;
    if (ours && condition.local === AUDIENCE_RESTRICTION[version]) {
      restrictions++;
      const audiences = childElements(condition, ns, 'Audience').map((a) => textOf(a).trim());
      if (!audiences.includes(policy.audience))
        fail('PSSO_ERR_SAML_AUDIENCE', 'an audience restriction does not name this service');
    } else if (!ours || !UNDERSTOOD[version].has(condition.local)) {
      fail('PSSO_ERR_SAML_CONDITIONS', 'a condition this service does not understand');
    } else if (version === '2.0' && seen.has(condition.local)) {
      // Core §2.5.1.5 and §2.5.1.6: at most one OneTimeUse, at most one ProxyRestriction.
      fail('PSSO_ERR_SAML_CONDITIONS', `more than one ${condition.local}`);
    }
    seen.add(condition.local);
  }
  if (restrictions === 0) fail('PSSO_ERR_SAML_AUDIENCE', 'no audience restriction');
}

/**
 * NotBefore and NotOnOrAfter present, current within the skew, and not absurdly far apart.
 *
 * @throws {SamlError} `PSSO_ERR_SAML_CONDITIONS`.
 * @example
 * ```ts
 * const { notOnOrAfter } = checkWindow(conditions, { now, skewMs: 120_000 });
 * ```
 */
export function checkWindow(
  c: XmlElement,
  policy: Pick<ConditionsPolicy, 'now' | 'skewMs' | 'maxValidityMs'>,
): { notOnOrAfter: Date } {
  const nb = parseDateTime(attribute(c, '', 'NotBefore') ?? '');
  const na = parseDateTime(attribute(c, '', 'NotOnOrAfter') ?? '');
  if (nb === undefined || na === undefined)
    fail('PSSO_ERR_SAML_CONDITIONS', 'NotBefore and NotOnOrAfter are required');
  const t = policy.now.getTime();
  if (nb.getTime() - t > policy.skewMs)
    fail('PSSO_ERR_SAML_CONDITIONS', 'the assertion is not yet valid');
  if (t - na.getTime() >= policy.skewMs)
    fail('PSSO_ERR_SAML_CONDITIONS', 'the assertion has expired');
  if (na.getTime() - nb.getTime() > (policy.maxValidityMs ?? 24 * 3600_000)) {
    fail('PSSO_ERR_SAML_CONDITIONS', 'the assertion is valid for too long');
  }
  return { notOnOrAfter: na };
}

function fail(code: SamlErrorCode, why: string): never {
  throw new SamlError(code, `SAML bearer assertion refused: ${why}`);
}
