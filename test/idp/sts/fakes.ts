/** In-memory stand-ins for the STS's dependencies, for fast pipeline tests. */
import { createHash } from 'node:crypto';
import type { LockoutPolicy, LockoutStore, ReplayCache } from '../../../src/idp/replay/types.ts';
import type { AssertionParams } from '../../../src/idp/saml/types.ts';
import type { UserRecord } from '../../../src/idp/store/types.ts';
import { CredentialCache } from '../../../src/idp/sts/credential-cache.ts';
import type { StsDeps, StsSettings } from '../../../src/idp/sts/handle.ts';
import { escapeText } from '../../../src/xml/write.ts';

export const NOW = new Date('2026-11-29T10:00:00.000Z');
export const URN = 'urn:federation:MicrosoftOnline';

export interface Fakes extends StsDeps {
  passwordChecks: number;
  burned: number;
  /** Calls to `replay.firstSeen` (what the request tried to record). */
  recorded: number;
  issued: AssertionParams[];
}

export function fakeDeps(
  users: Record<string, string> = { 'alice@example.com': 'correct horse' },
  full = false,
): Fakes {
  const seen = new Set<string>();
  const failures = new Map<string, number>();
  const locked = new Set<string>();
  const replay: ReplayCache = {
    async firstSeen(kind, scope, value) {
      fakes.recorded++;
      if (full)
        throw Object.assign(
          new (await import('../../../src/errors.ts')).IdpError(
            'PSSO_ERR_IDP_REPLAY_CACHE_FULL',
            'full',
          ),
        );
      const k = createHash('sha256').update(`${kind}\0${scope}\0${value}`).digest('hex');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    },
    async close() {},
  };
  const lockout: LockoutStore = {
    async isLocked(u) {
      return locked.has(u.toLowerCase());
    },
    async recordFailure(u, _now, p: LockoutPolicy) {
      const n = (failures.get(u.toLowerCase()) ?? 0) + 1;
      failures.set(u.toLowerCase(), n);
      if (n >= p.threshold) locked.add(u.toLowerCase());
      return locked.has(u.toLowerCase());
    },
    async recordSuccess(u) {
      failures.delete(u.toLowerCase());
    },
    async close() {},
  };
  const fakes: Fakes = {
    passwordChecks: 0,
    burned: 0,
    recorded: 0,
    issued: [],
    async authenticate(upn, password) {
      fakes.passwordChecks++;
      const entry = Object.entries(users).find(([u]) => u.toLowerCase() === upn.toLowerCase());
      return entry !== undefined && entry[1] === password
        ? ({ upn: entry[0], immutableId: 'AAAAAAAAAAAAAAAAAAAAAA==' } satisfies UserRecord)
        : undefined;
    },
    async burnPasswordCheck() {
      fakes.burned++;
    },
    relyingParty: (id) =>
      id === URN
        ? { identifier: URN, samlVersion: '1.1' }
        : id === 'urn:saml2'
          ? { identifier: id, samlVersion: '2.0' }
          : undefined,
    issueAssertion(p) {
      fakes.issued.push(p);
      return fakeAssertion(p);
    },
    unsignedAssertion: fakeAssertion,
    replay,
    lockout,
    credentials: new CredentialCache(0),
  };
  return fakes;
}

function fakeAssertion(p: AssertionParams): string {
  return p.samlVersion === '1.1'
    ? `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="${p.id}"><saml:Subject><saml:NameIdentifier>${escapeText(p.subject)}</saml:NameIdentifier></saml:Subject></saml:Assertion>`
    : `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${p.id}"><saml2:Subject><saml2:NameID>${escapeText(p.subject)}</saml2:NameID></saml2:Subject></saml2:Assertion>`;
}

export function settings(extra: Partial<StsSettings> = {}): StsSettings {
  return {
    issuer: 'https://sts.example.com/adfs/services/trust',
    tokenLifetimeMs: 3600_000,
    freshness: { windowMs: 300_000, skewMs: 120_000, strict: false },
    lockout: { threshold: 3, windowMs: 600_000, lockoutMs: 1800_000 },
    maxBodyBytes: 64 * 1024,
    faults: {},
    clock: () => NOW,
    ...extra,
  };
}
