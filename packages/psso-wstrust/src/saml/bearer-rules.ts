/**
 * The RFC 7522 rules of {@link validateSamlBearer}, each judged on its own so that a person can see
 * every result at once (the token endpoint stops at the first failure, and also records the id
 * against replay, which this does not). A rule whose input was not given (no signing
 * certificate, no audience, no recipient) is `not-checked`, and then the assertion is not valid:
 * only a verified signature and a named audience (and, in SAML 2.0, recipient) make a pass.
 *
 * Claims are read from the signed content when the signature verified, else from the document
 * as sent — which the result says.
 *
 * @module
 */

import { SamlError, type SamlErrorCode } from '../errors.js';
import type { SamlVersion } from '../protocol/grant-types.js';
import { type SamlGrantType, samlVersionOfGrant } from '../protocol/grant-types.js';
import { NS_SAML1, NS_SAML2 } from '../protocol/namespaces.js';
import type { XmlElement } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { childElements } from '../xml/query.js';
import {
  checkBearerConfirmations,
  checkNoMarkupInNames,
  readIssuer,
  readSubject,
} from './bearer.js';
import { checkRestrictions, checkWindow } from './conditions.js';
import { checkSignatureShape, verifyAssertionSignature } from './verify.js';

/** The rules, in the order the token endpoint applies them. */
export const BEARER_RULES = [
  'saml.signature',
  'saml.grant-type',
  'saml.issuer',
  'saml.conditions',
  'saml.audience',
  'saml.subject',
  'saml.recipient',
] as const;

/** A rule id. */
export type BearerRuleId = (typeof BEARER_RULES)[number];

/** One rule's result. */
export interface BearerRuleResult {
  readonly id: BearerRuleId;
  readonly status: 'pass' | 'fail' | 'not-checked' | 'not-applicable';
  /** Our own words (never peer bytes). */
  readonly message: string;
  /** For `fail`: the code the token endpoint would answer with. */
  readonly code?: SamlErrorCode;
  /** For a signature-algorithm refusal: the algorithm, from our vocabulary. */
  readonly algorithm?: string;
  /** For an unknown algorithm: the document's URI, sanitized. */
  readonly peerAlgorithm?: string;
  readonly remediation?: string;
  /** A note beside a pass (for example SHA-1 accepted on request). */
  readonly warning?: string;
}

/** What the rules are judged against; leave out what you do not know. */
export interface BearerRulesPolicy {
  /** Token-signing certificates (PEM). Without them the signature is `not-checked`. */
  readonly trustedCertificates?: readonly string[];
  /** Without them, the Issuer is only required to be present. */
  readonly trustedIssuers?: readonly string[];
  /** The Audience (federation URN). Without it the audience rule is `not-checked`. */
  readonly audience?: string;
  /** SAML 2.0: the token endpoint URL. Without it the recipient rule is `not-checked`. */
  readonly recipient?: string;
  readonly now: Date;
  readonly skewMs: number;
  readonly maxValidityMs?: number;
  readonly allowSha1?: boolean;
}

/** Every rule's result. */
export interface BearerRulesReport {
  readonly samlVersion: SamlVersion | undefined;
  /** `valid`: every rule passed; `invalid`: one failed; `unverified`: none failed, one was not checked. */
  readonly verdict: 'valid' | 'invalid' | 'unverified';
  /** Whether the claims were read from signed content. */
  readonly readFromSignedContent: boolean;
  readonly results: readonly BearerRuleResult[];
}

/**
 * Judges `assertionXml` (the assertion's exact text) by each RFC 7522 rule.
 *
 * @example
 * ```ts
 * const report = evaluateSamlBearerRules(xml, undefined, { trustedCertificates: [pem],
 *   audience: 'urn:federation:MicrosoftOnline', now: new Date(), skewMs: 120_000 });
 * report.verdict; // 'valid' | 'invalid' | 'unverified'
 * ```
 */
export function evaluateSamlBearerRules(
  assertionXml: string,
  grantType: SamlGrantType | undefined,
  policy: BearerRulesPolicy,
): BearerRulesReport {
  const results: BearerRuleResult[] = [];
  const allowSha1 = policy.allowSha1 === true;
  let root: XmlElement | undefined;
  let sent: XmlElement | undefined;
  let signed = false;
  const certs = policy.trustedCertificates ?? [];
  const sha1Warning = 'RSA-SHA1 accepted on request (--allow-sha1): SHA-1 is broken';
  if (certs.length > 0) {
    try {
      const v = verifyAssertionSignature(assertionXml, certs, { allowSha1 });
      root = parseXml(v.signedXml).root;
      sent = v.sent;
      signed = true;
      results.push({
        id: 'saml.signature',
        status: 'pass',
        message: 'the signature verifies against a given token-signing certificate',
        ...(v.sha1 ? { warning: sha1Warning } : {}),
      });
    } catch (e) {
      results.push(failure('saml.signature', e));
    }
  } else {
    try {
      const shape = checkSignatureShape(assertionXml, { allowSha1 });
      results.push({
        id: 'saml.signature',
        status: 'not-checked',
        message:
          'not verified: no token-signing certificate given (--signing-cert); the signature is only well-formed with allowed algorithms',
        ...(shape.sha1 ? { warning: sha1Warning } : {}),
      });
    } catch (e) {
      results.push(failure('saml.signature', e));
    }
  }
  if (root === undefined) {
    try {
      root = parseXml(assertionXml, { maxBytes: 256 * 1024, maxDepth: 32 }).root;
      sent = root;
    } catch {
      for (const id of BEARER_RULES.slice(1))
        results.push({ id, status: 'not-checked', message: 'the assertion could not be read' });
      return report(undefined, signed, results);
    }
  }
  const version = versionOf(root);
  if (version === undefined) {
    for (const id of BEARER_RULES.slice(1))
      results.push({ id, status: 'not-checked', message: 'the root is not a SAML assertion' });
    return report(undefined, signed, results);
  }
  const ns = version === '1.1' ? NS_SAML1 : NS_SAML2;
  const r = root;
  const s = sent ?? root;

  results.push(
    judge('saml.grant-type', () => {
      if (grantType === undefined) return `the grant type follows the assertion (SAML ${version})`;
      const expected = samlVersionOfGrant(grantType);
      if (expected !== version)
        throw new SamlError(
          'PSSO_ERR_SAML_GRANT_MISMATCH',
          `a SAML ${version} assertion under the ${grantType} grant`,
        );
      return `SAML ${version} under ${grantType}`;
    }),
  );
  results.push(
    judge('saml.issuer', () => {
      const issuer = readIssuer(r, version);
      if (policy.trustedIssuers === undefined)
        return 'an Issuer is present (not compared: no trusted issuer given)';
      if (!policy.trustedIssuers.includes(issuer))
        throw new SamlError('PSSO_ERR_SAML_ISSUER', 'the Issuer is not one of the trusted issuers');
      return 'the Issuer is trusted';
    }),
  );
  const conditions = childElements(r, ns, 'Conditions');
  results.push(
    judge('saml.conditions', () => {
      if (conditions.length !== 1 || conditions[0] === undefined)
        throw new SamlError('PSSO_ERR_SAML_CONDITIONS', 'exactly one Conditions is required');
      checkWindow(conditions[0], policy);
      return 'NotBefore and NotOnOrAfter are current within the skew';
    }),
  );
  if (policy.audience === undefined) {
    results.push({
      id: 'saml.audience',
      status: 'not-checked',
      message: 'no audience given (--audience)',
    });
  } else {
    const audience = policy.audience;
    results.push(
      judge('saml.audience', () => {
        if (conditions[0] === undefined || conditions.length !== 1)
          throw new SamlError('PSSO_ERR_SAML_CONDITIONS', 'exactly one Conditions is required');
        checkRestrictions(conditions[0], version, { audience });
        return 'every audience restriction names the audience; every condition is understood';
      }),
    );
  }
  results.push(
    judge('saml.subject', () => {
      checkNoMarkupInNames(s, version);
      readSubject(r, ns, version);
      return 'one plain-text subject with a bearer confirmation';
    }),
  );
  if (version === '1.1') {
    results.push({
      id: 'saml.recipient',
      status: 'not-applicable',
      message: 'SAML 1.1 bearer confirmations carry no Recipient',
    });
  } else if (policy.recipient === undefined) {
    results.push({
      id: 'saml.recipient',
      status: 'not-checked',
      message: 'no recipient given (--recipient)',
    });
  } else {
    const recipient = policy.recipient;
    results.push(
      judge('saml.recipient', () => {
        checkBearerConfirmations(r, { recipient, now: policy.now, skewMs: policy.skewMs });
        return 'each bearer confirmation names the recipient and is unexpired';
      }),
    );
  }
  return report(version, signed, results);
}

function report(
  samlVersion: SamlVersion | undefined,
  readFromSignedContent: boolean,
  results: BearerRuleResult[],
): BearerRulesReport {
  const verdict = results.some((r) => r.status === 'fail')
    ? 'invalid'
    : results.some((r) => r.status === 'not-checked')
      ? 'unverified'
      : 'valid';
  return { samlVersion, verdict, readFromSignedContent, results };
}

function judge(id: BearerRuleId, rule: () => string): BearerRuleResult {
  try {
    return { id, status: 'pass', message: rule() };
  } catch (e) {
    return failure(id, e);
  }
}

function failure(id: BearerRuleId, e: unknown): BearerRuleResult {
  if (!(e instanceof SamlError)) throw e;
  return {
    id,
    status: 'fail',
    code: e.code,
    message: e.message.replace(/^SAML (bearer )?assertion (signature )?refused: /, ''),
    ...(e.algorithm === undefined ? {} : { algorithm: e.algorithm }),
    ...(e.peerAlgorithm === undefined ? {} : { peerAlgorithm: e.peerAlgorithm }),
    ...(e.remediation === undefined ? {} : { remediation: e.remediation }),
  };
}

function versionOf(root: XmlElement): SamlVersion | undefined {
  if (root.local !== 'Assertion') return undefined;
  return root.ns === NS_SAML1 ? '1.1' : root.ns === NS_SAML2 ? '2.0' : undefined;
}
