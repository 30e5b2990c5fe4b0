/** In-memory stand-ins for the STS's dependencies, for fast pipeline tests. */
import { createHash } from 'node:crypto';
import { FairQueue, type FairQueueLimits } from '../../../packages/idp/src/auth/fair-queue.ts';
import { PasswordCheck } from '../../../packages/idp/src/auth/password-check.ts';
import { canonicalUsername } from '../../../packages/idp/src/auth/username.ts';
import type { AssertionParams } from '../../../packages/idp/src/saml/types.ts';
import { MemoryLockoutStore } from '../../../packages/idp/src/state/memory/lockout.ts';
import type { UserRecord } from '../../../packages/idp/src/state/records.ts';
import type {
  LockoutPolicy,
  LockoutStore,
  ReplayCache,
} from '../../../packages/idp/src/state/types.ts';
import { CredentialCache } from '../../../packages/idp/src/sts/credential-cache.ts';
import type { StsDeps, StsSettings } from '../../../packages/idp/src/sts/handle.ts';
import { escapeText } from '../../../packages/psso-wstrust/src/xml/write.ts';

export const NOW = new Date('2026-11-29T10:00:00.000Z');
export const URN = 'urn:federation:MicrosoftOnline';

export interface Fakes extends StsDeps {
  passwordChecks: number;
  burned: number;
  /** Calls to `replay.firstSeen` (what the request tried to record). */
  recorded: number;
  issued: AssertionParams[];
  readonly lockout: LockoutStore;
}

/** The lockout policy of the fakes: 3 failures in 10 minutes lock for 30; smart lockout on. */
export const POLICY: LockoutPolicy = {
  threshold: 3,
  windowMs: 600_000,
  lockoutMs: 1800_000,
  familiarMs: 14 * 86_400_000,
};

/** Options of {@link fakeDeps} beyond the users. */
export interface FakeOptions {
  readonly queue?: FairQueueLimits;
  /** Each password check (and burn) takes this long (ms); default 0. */
  readonly checkMs?: number;
  readonly lockout?: LockoutStore;
  readonly clock?: () => Date;
}

export function fakeDeps(
  users: Record<string, string> = { 'alice@example.com': 'correct horse' },
  full = false,
  o: FakeOptions = {},
): Fakes {
  const seen = new Set<string>();
  const replay: ReplayCache = {
    async firstSeen(kind, scope, value) {
      fakes.recorded++;
      if (full)
        throw Object.assign(
          new (await import('../../../packages/psso-wstrust/src/errors.ts')).IdpError(
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
  const lockout = o.lockout ?? new MemoryLockoutStore();
  const pause = () =>
    o.checkMs === undefined ? Promise.resolve() : new Promise((r) => setTimeout(r, o.checkMs));
  const passwords = new PasswordCheck({
    async verify(upn, password) {
      fakes.passwordChecks++;
      await pause();
      const entry = Object.entries(users).find(
        ([u]) => canonicalUsername(u) === canonicalUsername(upn),
      );
      return {
        user:
          entry !== undefined && entry[1] === password
            ? ({ upn: entry[0], immutableId: 'AAAAAAAAAAAAAAAAAAAAAA==' } satisfies UserRecord)
            : undefined,
        known: entry !== undefined,
      };
    },
    async burn() {
      fakes.burned++;
      await pause();
    },
    lockout,
    credentials: new CredentialCache(0),
    queue: new FairQueue(o.queue),
    policy: POLICY,
    clock: o.clock ?? (() => NOW),
  });
  const fakes: Fakes = {
    passwordChecks: 0,
    burned: 0,
    recorded: 0,
    issued: [],
    passwords,
    lockout,
    relyingParty: async (id) =>
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
    maxBodyBytes: 64 * 1024,
    faults: {},
    clock: () => NOW,
    ...extra,
  };
}
