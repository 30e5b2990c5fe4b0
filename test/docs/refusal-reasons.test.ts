/**
 * docs/IDP-REFUSALS.md is what scripts/refusal-reasons.ts writes from the closed lists of refusal
 * reasons, and those lists are consistent: every reason documented, labels shaped for logs and
 * metrics, and each STS fault or Platform SSO answer one the wire knows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { HTTP_REFUSALS } from '../../packages/idp/src/http/refusals.ts';
import { Refusal } from '../../packages/idp/src/psso/refusal.ts';
import {
  REFUSAL_REASONS,
  REFUSAL_WIRE,
  refusalForCode,
} from '../../packages/idp/src/psso/refusal-reasons.ts';
import { StsFault, WIRE } from '../../packages/idp/src/sts/fault.ts';
import {
  STS_FAULT_REASONS,
  type StsFaultReason,
} from '../../packages/idp/src/sts/fault-reasons.ts';
import { REFUSALS_DOC, refusalReasonsMarkdown } from '../../scripts/refusal-reasons.ts';

describe('refusal reasons', () => {
  test('docs/IDP-REFUSALS.md is up to date (node --import tsx scripts/refusal-reasons.ts)', () => {
    assert.equal(readFileSync(REFUSALS_DOC, 'utf8'), refusalReasonsMarkdown());
  });

  test('labels are short, log-safe and documented', () => {
    const all = [
      ...Object.entries(STS_FAULT_REASONS).map(([k, v]) => [k, v.summary] as const),
      ...Object.entries(REFUSAL_REASONS).map(([k, v]) => [k, v.summary] as const),
      ...Object.entries(HTTP_REFUSALS),
    ];
    for (const [label, summary] of all) {
      assert.match(label, /^[A-Za-z0-9_:-]{2,64}$/, label);
      assert.ok(summary.length > 10, `${label} needs a summary`);
    }
    assert.ok(Object.keys(STS_FAULT_REASONS).length >= 40);
    assert.ok(Object.keys(REFUSAL_REASONS).length >= 100);
  });

  test('a fault or refusal answers what its reason lists', () => {
    for (const reason of Object.keys(STS_FAULT_REASONS) as StsFaultReason[]) {
      const f = new StsFault(reason, 'detail');
      assert.equal(f.wire, WIRE[STS_FAULT_REASONS[reason].wire]);
      assert.equal(f.label, reason);
    }
    assert.equal(new StsFault('bad-credentials').wire.subcode?.local, 'FailedAuthentication');
    assert.equal(new StsFault('store-unavailable').wire.code, 'Receiver');
    const r = new Refusal('unknown-device');
    assert.deepEqual([r.status, r.error, r.device], [401, 'invalid_grant', true]);
    const c = new Refusal('bad-credentials');
    assert.deepEqual([c.status, c.error, c.device], [401, 'invalid_grant', false]);
    for (const spec of Object.values(REFUSAL_REASONS)) assert.ok(REFUSAL_WIRE[spec.wire]);
  });

  test('only password, key and token failures read as bad credentials, never a device check', () => {
    // A Mac asks for the password again on 401 invalid_grant without the device suberror.
    for (const reason of ['jwt-invalid', 'unknown-device', 'server-nonce-replayed'] as const)
      assert.equal(new Refusal(reason).device, true, reason);
    for (const reason of ['jwt-bearer-claims', 'saml-claims', 'no-jwt'] as const)
      assert.equal(new Refusal(reason).status, 400, reason);
  });

  test('a library refusal maps to its SAML reason, anything else to refused-other', () => {
    assert.equal(refusalForCode('PSSO_ERR_SAML_REPLAY'), 'refused:PSSO_ERR_SAML_REPLAY');
    assert.equal(refusalForCode('PSSO_ERR_XML_MALFORMED'), 'refused-other');
    assert.equal(refusalForCode('anything'), 'refused-other');
  });
});
