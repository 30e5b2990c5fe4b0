/**
 * The STS pipeline for one RequestSecurityToken, as a list of small checks, each refusing with an
 * {@link StsFault}: parse (the safe XML layer) → SOAP 1.2 envelope → mustUnderstand → MessageID →
 * Action → Security header → RST body → freshness and replay → relying party → lockout and
 * credentials → issue. Nothing internal reaches the wire; every refusal is a SOAP fault with
 * RelatesTo when the MessageID is known.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { IdpError, XmlError } from '../../errors.js';
import type { WsTrustVersion } from '../../protocol/wstrust.js';
import { parseXml } from '../../xml/parse.js';
import { escapeText } from '../../xml/write.js';
import type { FaultInjection } from '../faults/injection.js';
import type { LockoutPolicy, LockoutStore, ReplayCache } from '../replay/types.js';
import type { AssertionParams, SamlAttribute } from '../saml/types.js';
import type { RelyingParty, UserRecord } from '../store/types.js';
import type { CredentialCache } from './credential-cache.js';
import {
  checkAction,
  checkMustUnderstand,
  readMessageId,
  readRequestEnvelope,
} from './envelope.js';
import { StsFault, WIRE } from './fault.js';
import { checkFreshness, type FreshnessPolicy } from './freshness.js';
import { faultResponse, tokenResponse } from './response.js';
import { readRstBody } from './rst-body.js';
import { readSecurity } from './security.js';

/** What the pipeline needs from the rest of the IdP. */
export interface StsDeps {
  authenticate(upn: string, password: string): Promise<UserRecord | undefined>;
  /** Costs what `authenticate` costs, checks nothing: used when the account is locked. */
  burnPasswordCheck(): Promise<void>;
  relyingParty(identifier: string): RelyingParty | undefined;
  /** Signs an assertion with the token-signing key. */
  issueAssertion(params: AssertionParams): string;
  /** The same assertion, unsigned (fault injection only). */
  unsignedAssertion(params: AssertionParams): string;
  readonly replay: ReplayCache;
  readonly lockout: LockoutStore;
  readonly credentials: CredentialCache;
}

/** STS settings. */
export interface StsSettings {
  readonly issuer: string;
  readonly tokenLifetimeMs: number;
  readonly freshness: FreshnessPolicy;
  readonly lockout: LockoutPolicy;
  readonly maxBodyBytes: number;
  readonly faults: FaultInjection;
  readonly clock: () => Date;
}

/** The STS's answer. */
export interface StsAnswer {
  readonly status: number;
  readonly body: string;
  /** `issued` or the refusal's label (metrics, logs). */
  readonly outcome: string;
  readonly samlVersion?: '1.1' | '2.0';
  /** Internal detail for the log. */
  readonly detail?: string;
  /** When issued: the user (UPN) and the relying party (AppliesTo), for the log. */
  readonly user?: string;
  readonly relyingParty?: string;
}

const UPN_CLAIM = 'http://schemas.xmlsoap.org/claims';
const IMMUTABLE_ID_CLAIM = 'http://schemas.microsoft.com/LiveID/Federation/2008/05';

/** Runs the pipeline. Never throws for anything the client sent. */
export async function handleRst(
  body: Uint8Array,
  version: WsTrustVersion,
  deps: StsDeps,
  s: StsSettings,
): Promise<StsAnswer> {
  let messageId: string | undefined;
  const now = s.clock();
  try {
    const doc = parseXml(body, { maxBytes: s.maxBodyBytes, maxDepth: 24, maxAttributes: 32 });
    const { header, body: soapBody } = readRequestEnvelope(doc.root);
    checkMustUnderstand(header);
    messageId = readMessageId(header);
    checkAction(header, version);
    const security = readSecurity(header);
    const { appliesTo } = readRstBody(soapBody, version);
    await checkFreshness(security, now.getTime(), s.freshness, deps.replay);
    const rp = deps.relyingParty(appliesTo);
    if (rp === undefined)
      throw new StsFault(
        'unknown-relying-party',
        WIRE.requestFailed,
        'AppliesTo names no relying party',
      );
    const user = await authenticate(security.username, security.password, now, deps, s.lockout);
    return issue(version, messageId, appliesTo, rp, user, deps, s);
  } catch (error) {
    const fault = toFault(error);
    const soap11 = s.faults.soap11 === true;
    return {
      status: 500,
      body: faultResponse(
        fault.wire,
        version,
        relatesTo(messageId, s.faults),
        shifted(now, s.faults),
        soap11,
      ),
      outcome: fault.label,
      ...(fault.detail === undefined ? {} : { detail: fault.detail }),
    };
  }
}

/** Lockout first (a locked account is refused whatever the password, at the same cost), then credentials. */
async function authenticate(
  upn: string,
  password: string,
  now: Date,
  deps: StsDeps,
  policy: LockoutPolicy,
): Promise<UserRecord> {
  if (await deps.lockout.isLocked(upn, now)) {
    await deps.burnPasswordCheck();
    throw new StsFault('locked-out', WIRE.failedAuthentication);
  }
  const cached = deps.credentials.get(upn, password, now.getTime());
  if (cached !== undefined) return cached;
  const user = await deps.authenticate(upn, password);
  if (user === undefined) {
    const locked = await deps.lockout.recordFailure(upn, now, policy);
    throw new StsFault(
      'bad-credentials',
      WIRE.failedAuthentication,
      locked ? 'account now locked' : undefined,
    );
  }
  await deps.lockout.recordSuccess(upn);
  deps.credentials.set(upn, password, user, now.getTime());
  return user;
}

function issue(
  version: WsTrustVersion,
  messageId: string,
  appliesTo: string,
  rp: RelyingParty,
  user: UserRecord,
  deps: StsDeps,
  s: StsSettings,
): StsAnswer {
  const f = s.faults;
  const now = shifted(s.clock(), f);
  const expires = new Date(now.getTime() + s.tokenLifetimeMs);
  const attributes: SamlAttribute[] = [
    { name: 'UPN', namespace: UPN_CLAIM, values: [user.upn] },
    { name: 'ImmutableID', namespace: IMMUTABLE_ID_CLAIM, values: [user.immutableId] },
  ];
  const params: AssertionParams = {
    samlVersion: rp.samlVersion,
    id: `_${randomUUID()}`,
    issuer: s.issuer,
    issueInstant: now,
    notBefore: now,
    notOnOrAfter: expires,
    audience: appliesTo,
    subject: user.upn,
    attributes,
    authnInstant: now,
  };
  let token = f.unsigned === true ? deps.unsignedAssertion(params) : deps.issueAssertion(params);
  if (f.tampered === true) token = tamper(token, user.upn);
  if (f.twoAssertions === true) token += deps.issueAssertion({ ...params, id: `_${randomUUID()}` });
  const body = tokenResponse({
    version,
    relatesTo: relatesTo(messageId, f),
    now,
    lifetime: { created: now, expires },
    appliesTo,
    token,
    assertionId: params.id,
    samlVersion: rp.samlVersion,
    ...(f.tokenType === undefined ? {} : { tokenType: f.tokenType }),
    ...(f.soap11 === true ? { soap11: true } : {}),
  });
  return {
    status: 200,
    body,
    outcome: 'issued',
    samlVersion: rp.samlVersion,
    user: user.upn,
    relyingParty: appliesTo,
  };
}

function toFault(error: unknown): StsFault {
  if (error instanceof StsFault) return error;
  if (error instanceof XmlError) {
    const label =
      error.code === 'PSSO_ERR_XML_DOCTYPE'
        ? 'doctype'
        : error.code === 'PSSO_ERR_XML_TOO_LARGE'
          ? 'too-large'
          : 'malformed-xml';
    return new StsFault(label, WIRE.invalidRequest, error.code);
  }
  if (error instanceof IdpError)
    return new StsFault('store-unavailable', WIRE.unavailable, error.code);
  return new StsFault(
    'internal-error',
    WIRE.unavailable,
    error instanceof Error ? error.stack : String(error),
  );
}

function relatesTo(messageId: string | undefined, f: FaultInjection): string | undefined {
  if (f.noRelatesTo === true) return undefined;
  if (f.wrongRelatesTo === true) return `urn:uuid:${randomUUID()}`;
  return messageId;
}

function shifted(now: Date, f: FaultInjection): Date {
  return f.skewSeconds === undefined ? now : new Date(now.getTime() + f.skewSeconds * 1000);
}

/** Changes one character of signed content: the subject, else the IssueInstant's year. */
function tamper(assertion: string, upn: string): string {
  const at = assertion.indexOf(`>${escapeText(upn)}<`);
  if (at !== -1) return `${assertion.slice(0, at + 1)}X${assertion.slice(at + 2)}`;
  return assertion.replace(
    /IssueInstant="(\d)/,
    (_m, d: string) => `IssueInstant="${d === '2' ? '1' : '2'}`,
  );
}
