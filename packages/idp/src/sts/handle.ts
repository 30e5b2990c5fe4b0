/**
 * The STS pipeline for one RequestSecurityToken, as a list of small checks, each refusing with an
 * {@link StsFault}: parse (the safe XML layer) → SOAP 1.2 envelope → mustUnderstand → MessageID →
 * Action → Security header → RST body → freshness (times) → relying party → lockout and
 * credentials → the Nonce recorded in the replay store → issue. Nothing internal reaches the wire;
 * every refusal is a SOAP fault with RelatesTo when the MessageID is known.
 *
 * Only an authenticated request writes to the replay store: a request for an unknown relying
 * party, with a wrong password or for a locked account is refused before its Nonce is recorded, so
 * anonymous traffic cannot fill the store that every wss11 and federated Platform SSO login needs.
 *
 * A request without a usable `wsa:MessageID` (ADAL for Python and adal-node send `wsa:messageID`)
 * is served as AD FS serves it: the token is issued and the answer has no RelatesTo, with a
 * warning (`message-id-<problem>`) for the log and metrics, since macOS would refuse such an
 * answer. `strict` refuses it with an InvalidRequest fault instead.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { WsTrustVersion } from 'psso-wstrust';
import { XmlError } from 'psso-wstrust';
import { escapeText, parseXml } from 'psso-wstrust/xml';
import { IdpBusyError } from '../auth/fair-queue.js';
import type { PasswordCheck } from '../auth/password-check.js';
import { UNKNOWN_SOURCE } from '../auth/source.js';
import type { FaultInjection } from '../faults/injection.js';
import type { AssertionParams, SamlAttribute } from '../saml/types.js';
import type { RelyingParty, UserRecord } from '../state/records.js';
import type { ReplayCache } from '../state/types.js';
import { isUnavailable } from '../wire-errors.js';
import {
  checkAction,
  checkMustUnderstand,
  type MessageIdProblem,
  readMessageId,
  readRequestEnvelope,
} from './envelope.js';
import { StsFault, type StsFaultReason } from './fault.js';
import { checkFreshness, type FreshnessPolicy, recordNonce } from './freshness.js';
import { faultResponse, tokenResponse } from './response.js';
import { readRstBody } from './rst-body.js';
import { readSecurity } from './security.js';

/** What the pipeline needs from the rest of the IdP. */
export interface StsDeps {
  /** The IdP's one password check (lockout, credential cache, bounded queue, scrypt). */
  readonly passwords: PasswordCheck;
  relyingParty(identifier: string): Promise<RelyingParty | undefined>;
  /** Signs an assertion with the token-signing key. */
  issueAssertion(params: AssertionParams): string;
  /** The same assertion, unsigned (fault injection only). */
  unsignedAssertion(params: AssertionParams): string;
  readonly replay: ReplayCache;
}

/** STS settings. */
export interface StsSettings {
  readonly issuer: string;
  readonly tokenLifetimeMs: number;
  readonly freshness: FreshnessPolicy;
  readonly maxBodyBytes: number;
  readonly faults: FaultInjection;
  readonly clock: () => Date;
  /** Refuse a request without a usable MessageID (default: serve it as AD FS does). */
  readonly strict?: boolean;
  /**
   * The SAML 2.0 SubjectConfirmationData Recipient for a relying party that names none: the IdP's
   * own Platform SSO token endpoint (RFC 7522 §3). Absent: no Recipient.
   */
  readonly defaultRecipient?: string;
}

/** The STS's answer. */
export interface StsAnswer {
  readonly status: number;
  readonly body: string;
  /** `issued` or the refusal's label (metrics, logs). */
  readonly outcome: 'issued' | StsFaultReason;
  readonly samlVersion?: '1.1' | '2.0';
  /** Internal detail for the log. */
  readonly detail?: string;
  /**
   * Served, but with something to warn about: `message-id-lowercase`, `-missing`, `-repeated` or
   * `-invalid` (the answer then has no RelatesTo, which macOS refuses).
   */
  readonly warning?: StsWarning;
  /** When busy: the `Retry-After` header (seconds). */
  readonly retryAfterSeconds?: number;
  /** When issued: the user (UPN) and the relying party (AppliesTo), for the log. */
  readonly user?: string;
  readonly relyingParty?: string;
}

/** Why a request was served with a warning (metrics `psso_idp_warnings_total{reason=…}`). */
export type StsWarning = `message-id-${MessageIdProblem}`;

const UPN_CLAIM = 'http://schemas.xmlsoap.org/claims';
const IMMUTABLE_ID_CLAIM = 'http://schemas.microsoft.com/LiveID/Federation/2008/05';

/**
 * Runs the pipeline. Never throws for anything the client sent. `source` is the client address
 * as `requestSource` gives it (lockout and the password-check queue count per source).
 */
export async function handleRst(
  body: Uint8Array,
  version: WsTrustVersion,
  deps: StsDeps,
  s: StsSettings,
  source: string = UNKNOWN_SOURCE,
): Promise<StsAnswer> {
  let messageId: string | undefined;
  let warning: StsWarning | undefined;
  const now = s.clock();
  try {
    const doc = parseXml(body, { maxBytes: s.maxBodyBytes, maxDepth: 24, maxAttributes: 32 });
    const { header, body: soapBody } = readRequestEnvelope(doc.root);
    checkMustUnderstand(header);
    const m = readMessageId(header);
    if (m.id === undefined) {
      if (s.strict === true) throw new StsFault('message-id', `MessageID ${m.problem}`);
      warning = `message-id-${m.problem}`;
    }
    messageId = m.id;
    checkAction(header, version);
    const security = readSecurity(header);
    const { appliesTo } = readRstBody(soapBody, version);
    checkFreshness(security, now.getTime(), s.freshness);
    const rp = await deps.relyingParty(appliesTo);
    if (rp === undefined)
      throw new StsFault('unknown-relying-party', 'AppliesTo names no relying party');
    const user = await authenticate(security.username, security.password, source, deps, () =>
      // UTP §4 replay check, now that the sender is known to hold the password, and before the
      // lockout counter is reset: a captured request cannot be replayed to clear a victim's
      // failures, and no anonymous request writes to the replay store.
      recordNonce(security, s.freshness, deps.replay),
    );
    const answer = issue(version, messageId, appliesTo, rp, user, deps, s);
    return warning === undefined ? answer : { ...answer, warning };
  } catch (error) {
    const fault = toFault(error);
    const soap11 = s.faults.soap11 === true;
    const retryAfterSeconds = error instanceof IdpBusyError ? error.retryAfterSeconds : undefined;
    return {
      // SOAP 1.2 HTTP binding: every fault is a 500 (Retry-After rides along when busy).
      status: 500,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      body: faultResponse(
        retryAfterSeconds === undefined
          ? fault.wire
          : { ...fault.wire, retryAfterMs: retryAfterSeconds * 1000 },
        version,
        relatesTo(messageId, s.faults),
        shifted(now, s.faults),
        soap11,
      ),
      outcome: fault.label,
      ...(fault.detail === undefined ? {} : { detail: fault.detail }),
      ...(warning === undefined ? {} : { warning }),
    };
  }
}

/**
 * The IdP's one password check (lockout for this source first: a locked account is refused
 * whatever the password, at the same cost and with the same fault as a wrong password).
 */
async function authenticate(
  upn: string,
  password: string,
  source: string,
  deps: StsDeps,
  beforeSuccess: () => Promise<void>,
): Promise<UserRecord> {
  const r = await deps.passwords.check(upn, password, source, beforeSuccess);
  if (r.ok) return r.user;
  throw new StsFault(
    r.reason,
    r.reason === 'bad-credentials' && r.nowLocked ? 'account now locked' : undefined,
  );
}

function issue(
  version: WsTrustVersion,
  messageId: string | undefined,
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
    ...recipientOf(rp, s),
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

/** SAML 2.0 assertions name their Recipient: the relying party's, else the default. */
function recipientOf(rp: RelyingParty, s: StsSettings): { recipient?: string } {
  if (rp.samlVersion !== '2.0') return {};
  const recipient = rp.recipient ?? s.defaultRecipient;
  return recipient === undefined ? {} : { recipient };
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
    return new StsFault(label, error.code);
  }
  if (error instanceof IdpBusyError) return new StsFault('busy', error.message);
  // A store that cannot answer is the IdP's failure (Receiver), never the client's.
  if (isUnavailable(error))
    return new StsFault('store-unavailable', `${error.code}: ${error.message}`);
  return new StsFault('internal-error', error instanceof Error ? error.stack : String(error));
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
