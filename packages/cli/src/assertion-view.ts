/**
 * Showing a SAML assertion to a person (the inspector's view) and the warnings its signature
 * calls for: `rstr`, `saml` and `login` share them.
 *
 * @module
 */

import type { AssertionInspection } from 'psso-wstrust/saml';
import { sha256RemediationText } from 'psso-wstrust/saml';
import { err, out as pc } from './colors.js';

/** A warning, printed on stderr as `warning: …` and listed under `warnings` in `--json`. */
export interface CliWarning {
  /** Stable: `PSSO_WARN_SAML_UNSIGNED`, `PSSO_WARN_SAML_SHA1`, `PSSO_WARN_SAML_NOT_VERIFIED`. */
  readonly code: string;
  readonly message: string;
}

/** Prints `warning: …` lines on stderr. */
export function printWarnings(warnings: readonly CliWarning[]): void {
  for (const w of warnings)
    process.stderr.write(`${err.yellow(err.bold('warning:'))} ${w.message} (${w.code})\n`);
}

/**
 * The warnings an assertion's signature calls for. `verified`: the signature was checked against
 * `--signing-cert` (and passed, SHA-1 only under `--allow-sha1`).
 *
 * @example
 * ```ts
 * printWarnings(signatureWarnings(inspectAssertion(token.assertion), { verified: false }));
 * ```
 */
export function signatureWarnings(
  view: AssertionInspection,
  o: { verified: boolean },
): CliWarning[] {
  if (view.signature === undefined) {
    return [
      {
        code: 'PSSO_WARN_SAML_UNSIGNED',
        message:
          'the assertion is not signed: Entra ID and any RFC 7522 token endpoint will refuse it (macOS itself does not check). ' +
          'The IdP must sign the token it issues with its token-signing certificate.',
      },
    ];
  }
  const warnings: CliWarning[] = [];
  if (view.signature.sha1) {
    warnings.push({
      code: 'PSSO_WARN_SAML_SHA1',
      message: o.verified
        ? `the assertion is signed with ${view.signature.algorithmName} (digest ${view.signature.digestName}), accepted only because of --allow-sha1: SHA-1 is broken. ${sha256RemediationText()}`
        : `the assertion is signed with ${view.signature.algorithmName} (digest ${view.signature.digestName}), which is refused when verified (--signing-cert) unless --allow-sha1: SHA-1 is broken. ${sha256RemediationText()}`,
    });
  }
  return warnings;
}

/** The inspector's view for people, on stdout. */
export function printAssertion(view: AssertionInspection): void {
  const line = (label: string, value: string) =>
    console.log(`${pc.bold(`${label}:`.padEnd(12))}${value}`);
  line('assertion', `SAML ${view.samlVersion}, id ${view.id || '(none)'}`);
  if (view.issueInstant !== undefined) line('issued', view.issueInstant);
  line('issuer', view.issuer || '(none)');
  line(
    'audiences',
    view.audiences.length === 0
      ? '(no audience restriction)'
      : view.audiences.map((list) => list.join(' | ') || '(empty)').join('; '),
  );
  line(
    'subject',
    view.subject === undefined
      ? '(none)'
      : `${view.subject.nameId}${view.subject.format === undefined ? '' : ` (${view.subject.format})`}`,
  );
  for (const c of view.confirmations) {
    const extra = [
      c.recipient === undefined ? '' : `Recipient ${c.recipient}`,
      c.notOnOrAfter === undefined ? '' : `NotOnOrAfter ${c.notOnOrAfter}`,
    ].filter((x) => x !== '');
    line('confirmed', `${c.method}${extra.length === 0 ? '' : ` (${extra.join(', ')})`}`);
  }
  line(
    'conditions',
    `${view.conditions.notBefore ?? '(no NotBefore)'} → ${view.conditions.notOnOrAfter ?? '(no NotOnOrAfter)'}${span(view.conditions)}`,
  );
  if (view.authentication !== undefined)
    line(
      'authn',
      `${view.authentication.method ?? '(no method)'}${view.authentication.instant === undefined ? '' : ` at ${view.authentication.instant}`}`,
    );
  if (view.attributes.length === 0) line('attributes', '(none)');
  else console.log(pc.bold('attributes:'));
  for (const a of view.attributes) {
    const more = a.valuesLeftOff === undefined ? '' : ` (+${a.valuesLeftOff} more)`;
    console.log(
      `  ${a.name}${a.namespace === undefined ? '' : ` [${a.namespace}]`}: ${a.values.join(', ')}${more}`,
    );
  }
  if (view.attributesLeftOff !== undefined)
    console.log(`  (+${view.attributesLeftOff} more attributes)`);
  const s = view.signature;
  line(
    'signature',
    s === undefined
      ? 'none (the assertion is not signed)'
      : `${s.algorithmName} (${s.algorithm}${s.peerAlgorithm === undefined ? '' : `: ${s.peerAlgorithm}`}), digest ${s.digestName}${s.sha1 ? ' — SHA-1' : ''}`,
  );
  const c = view.signingCertificate;
  if (c !== undefined) {
    console.log(`${pc.bold('signing certificate')} (from KeyInfo, shown only, never trusted):`);
    console.log(`  subject:  ${c.subject}`);
    console.log(`  issuer:   ${c.issuer}`);
    console.log(`  valid:    ${c.validFrom} → ${c.validTo}`);
    console.log(`  key:      ${c.publicKey}, serial ${c.serialNumber}`);
    console.log(`  SHA-256:  ${c.sha256Fingerprint}`);
    console.log(`  SHA-1 thumbprint: ${c.sha1Thumbprint}`);
  } else if (s !== undefined) {
    console.log(`${pc.bold('signing certificate')}: none in KeyInfo`);
  }
}

function span(c: AssertionInspection['conditions']): string {
  if (c.notBefore === undefined || c.notOnOrAfter === undefined) return '';
  const ms = Date.parse(c.notOnOrAfter) - Date.parse(c.notBefore);
  if (!Number.isFinite(ms)) return '';
  const minutes = Math.round(ms / 60_000);
  return ` (${minutes >= 120 ? `${Math.round(minutes / 60)} h` : `${minutes} min`})`;
}
