/**
 * The RequestSecurityToken send and its response, judged rule by rule with the library's own
 * validators called one at a time (not the all-in-one processor that stops at the first failure),
 * so that a RelatesTo mismatch still lets the timestamps, the token type and the assertion be
 * judged. macOS's order: SOAP 1.2 envelope, RelatesTo, fault, Timestamp, shape, token, TokenType.
 *
 * @module
 */

import { WsTrustError, WsTrustFaultError } from '../../errors.js';
import type { SamlVersion } from '../../protocol/grant-types.js';
import { NS_SAML1, NS_WSA } from '../../protocol/namespaces.js';
import {
  grantTypeForTokenType,
  type WsTrustVersion,
  wsTrustConstants,
} from '../../protocol/wstrust.js';
import { readSoapEnvelope, type SoapEnvelope } from '../../soap/envelope.js';
import { checkRelatesTo, throwIfFault } from '../../wstrust/envelope.js';
import {
  DEFAULT_CLOCK_SKEW_SECONDS,
  findAssertion,
  findRstr,
  readTokenType,
} from '../../wstrust/rstr.js';
import type { XmlDocument, XmlElement } from '../../xml/dom.js';
import { parseXml } from '../../xml/parse.js';
import { childElements, rawXml, textOf } from '../../xml/query.js';
import type { RawExchange } from '../record.js';
import type { RuleResult } from '../report.js';
import * as R from './rstr-defs.js';
import { judgeCreated, judgeExpires, judgeLifetime, timestampOf } from './rstr-time.js';
import { describe, result, skipped } from './rule.js';

/** What the response step gave the later rules. */
export interface RstrFacts {
  /** The exchange judged (the last RST sent). */
  readonly exchange?: RawExchange;
  readonly version?: WsTrustVersion;
  /** The assertion, byte for byte, when one was found. */
  readonly assertion?: string;
  readonly samlVersion?: SamlVersion;
  /** The header Timestamp's Created. */
  readonly created?: Date;
  /** When the response arrived (this machine's clock). */
  readonly receivedAt?: Date;
}

/** The version and MessageID of a recorded RST (read back from its body). */
export function rstIdentity(x: RawExchange): { version: WsTrustVersion; messageId?: string } {
  const body = x.request.body ?? '';
  const version: WsTrustVersion = body.includes(wsTrustConstants('2005').ns) ? '2005' : '1.3';
  const id = /<(?:[\w.-]+:)?MessageID\b[^>]*>([^<]*)</.exec(body)?.[1]?.trim();
  return { version, ...(id === undefined || id === '' ? {} : { messageId: id }) };
}

/**
 * Judges the RST exchanges (1.3, then 2005 after a transport failure) and the final response.
 *
 * @example
 * ```ts
 * const { results, facts } = judgeRstr(raw.filter((x) => x.step === 'rst'), 120);
 * ```
 */
export function judgeRstr(
  sent: readonly RawExchange[],
  skewSeconds = DEFAULT_CLOCK_SKEW_SECONDS,
): { results: RuleResult[]; facts: RstrFacts } {
  const out: RuleResult[] = [];
  const later = [
    R.SOAP12,
    R.RELATES_TO,
    R.FAULT,
    R.TS_PRESENT,
    R.TS_CREATED,
    R.TS_EXPIRES,
    R.LIFETIME,
    R.SHAPE,
    R.TOKEN_COUNT,
    R.TOKEN_TYPE,
    R.TOKEN_TYPE_MATCHES,
  ];
  const x = sent[sent.length - 1];
  if (x === undefined) {
    return {
      results: [R.TRANSPORT, ...later].map((d) => skipped(d, 'no RequestSecurityToken was sent')),
      facts: {},
    };
  }
  const ev = sent.map((s) => s.index);
  const ok = x.response !== undefined && (x.response.status === 200 || x.response.status === 500);
  const how = (s: RawExchange) =>
    `WS-Trust ${rstIdentity(s).version} ${s.request.url}: ${
      s.response === undefined
        ? `${s.error?.code} (${s.error?.message})`
        : `HTTP ${s.response.status}`
    }`;
  out.push(
    result(R.TRANSPORT, {
      status: !ok ? 'fail' : sent.length > 1 ? 'warn' : 'pass',
      got: sent.map(how).join('; '),
      evidence: ev,
      ...(ok && sent.length > 1
        ? {
            remediation: {
              adfs: 'The 1.3 endpoint failed and the 2005 one answered: check /adfs/services/trust/13/usernamemixed is enabled and proxied (Get-AdfsEndpoint).',
              generic:
                'The WS-Trust 1.3 endpoint failed at the transport level; fix it so macOS does not depend on the fallback.',
            },
          }
        : {}),
    }),
  );
  const { version, messageId } = rstIdentity(x);
  const receivedAt = new Date(x.startedAt.getTime() + x.durationMs);
  const facts: { -readonly [K in keyof RstrFacts]: RstrFacts[K] } = {
    exchange: x,
    version,
    receivedAt,
  };
  if (!ok || x.response === undefined) {
    for (const d of later) out.push(skipped(d, 'the STS gave no response to judge', [x.index]));
    return { results: out, facts };
  }
  const e = [x.index];
  let doc: XmlDocument;
  try {
    doc = parseXml(x.response.body);
  } catch (error) {
    out.push(
      result(R.SOAP12, {
        status: 'fail',
        got: `not well-formed XML: ${describe(error)}`,
        evidence: e,
      }),
    );
    for (const d of later.slice(1)) out.push(skipped(d, 'the response is not XML', e));
    return { results: out, facts };
  }
  // The reader the client and the STS share; its SOAP 1.1 parts let the later rules be judged.
  const reading = readSoapEnvelope(doc.root);
  let envelope: SoapEnvelope;
  if (reading.ok) {
    envelope = reading;
    out.push(result(R.SOAP12, { status: 'pass', got: 'SOAP 1.2 envelope', evidence: e }));
  } else {
    const soap11 = reading.problem === 'soap11';
    out.push(
      result(R.SOAP12, {
        status: 'fail',
        got: soap11
          ? 'a SOAP 1.1 envelope (http://schemas.xmlsoap.org/soap/envelope/)'
          : `PSSO_ERR_SOAP_NOT_ENVELOPE: ${reading.detail}`,
        evidence: e,
      }),
    );
    if (reading.soap11 === undefined) {
      for (const d of later.slice(1))
        out.push(skipped(d, 'the response is not a SOAP 1.2 envelope', e));
      return { results: out, facts };
    }
    // Go on: the SOAP 1.1 Header and Body are judged as macOS would judge a 1.2 one's.
    envelope = reading.soap11;
  }
  // Step 2: RelatesTo, before the fault (macOS's order).
  if (messageId === undefined) {
    out.push(skipped(R.RELATES_TO, 'the request carried no MessageID', e));
  } else {
    const got = relatesToText(envelope.header);
    try {
      checkRelatesTo(envelope, messageId);
      out.push(
        result(R.RELATES_TO, { status: 'pass', expected: messageId, got: got ?? '', evidence: e }),
      );
    } catch (error) {
      out.push(
        result(R.RELATES_TO, {
          status: 'fail',
          expected: messageId,
          got:
            got === undefined
              ? 'no wsa:RelatesTo'
              : error instanceof WsTrustError &&
                  error.code === 'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH'
                ? got
                : describe(error),
          evidence: e,
        }),
      );
    }
  }
  // Step 3: the fault.
  try {
    throwIfFault(envelope);
    out.push(result(R.FAULT, { status: 'pass', got: 'no SOAP fault', evidence: e }));
  } catch (error) {
    const f = error as WsTrustFaultError;
    const auth =
      error instanceof WsTrustFaultError && f.code === 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION';
    out.push(
      result(R.FAULT, {
        status: 'fail',
        got: `HTTP ${x.response.status}, fault ${f.faultCode ?? ''} / ${f.subcode ?? '(no subcode)'}: ${f.reason ?? '(no reason)'}`,
        evidence: e,
        ...(auth ? { remediation: R.FAILED_AUTH_FIX } : {}),
      }),
    );
    for (const d of later.slice(3)) out.push(skipped(d, 'the STS answered with a SOAP fault', e));
    return { results: out, facts };
  }
  // Step 4: the header Timestamp and the Lifetime, against the time the answer arrived.
  const skewMs = skewSeconds * 1000;
  const window = timestampOf(envelope.header);
  if (window.error !== undefined || window.created === undefined) {
    out.push(
      result(R.TS_PRESENT, {
        status: 'fail',
        got: window.error ?? 'no wsse:Security/wsu:Timestamp/wsu:Created in the SOAP header',
        evidence: e,
      }),
    );
    out.push(skipped(R.TS_CREATED, 'there is no Timestamp Created', e));
    out.push(skipped(R.TS_EXPIRES, 'there is no Timestamp Created', e));
  } else {
    facts.created = window.created;
    out.push(
      result(R.TS_PRESENT, {
        status: 'pass',
        got: `Created ${window.created.toISOString()}`,
        evidence: e,
      }),
    );
    out.push(judgeCreated(R.TS_CREATED, window.created, receivedAt, skewMs, e));
    out.push(judgeExpires(R.TS_EXPIRES, window.expires, receivedAt, skewMs, e));
  }
  // Step 5: the RSTR shape, the token, the TokenType.
  let rstr: XmlElement;
  try {
    rstr = findRstr(envelope.body, version);
    out.push(result(R.SHAPE, { status: 'pass', got: `WS-Trust ${version} RSTR`, evidence: e }));
  } catch (error) {
    const count = error instanceof WsTrustError && error.code === 'PSSO_ERR_WSTRUST_TOKEN_COUNT';
    out.push(
      result(count ? R.TOKEN_COUNT : R.SHAPE, {
        status: 'fail',
        got: describe(error),
        evidence: e,
      }),
    );
    if (count) out.push(result(R.SHAPE, { status: 'pass', got: 'a collection', evidence: e }));
    for (const d of [
      R.LIFETIME,
      ...(count ? [] : [R.TOKEN_COUNT]),
      R.TOKEN_TYPE,
      R.TOKEN_TYPE_MATCHES,
    ])
      out.push(skipped(d, 'no single RequestSecurityTokenResponse was found', e));
    return { results: sortLike(out, [R.TRANSPORT, ...later]), facts };
  }
  const ns = wsTrustConstants(version).ns;
  out.push(judgeLifetime(rstr, ns, receivedAt, skewMs, e));
  let assertion: XmlElement | undefined;
  try {
    assertion = findAssertion(rstr, ns);
    facts.assertion = rawXml(doc, assertion);
    facts.samlVersion = assertion.ns === NS_SAML1 ? '1.1' : '2.0';
    out.push(
      result(R.TOKEN_COUNT, {
        status: 'pass',
        got: `one SAML ${facts.samlVersion} assertion`,
        evidence: e,
      }),
    );
  } catch (error) {
    out.push(result(R.TOKEN_COUNT, { status: 'fail', got: describe(error), evidence: e }));
  }
  let tokenType: string | undefined;
  try {
    tokenType = readTokenType(rstr, ns);
    const mapped = grantTypeForTokenType(tokenType);
    out.push(
      result(R.TOKEN_TYPE, {
        status: mapped === undefined ? 'fail' : 'pass',
        got:
          mapped === undefined
            ? `${tokenType} (macOS would send it as saml2-bearer)`
            : `${tokenType} → ${mapped.grantType}`,
        evidence: e,
      }),
    );
    if (mapped === undefined)
      out.push(skipped(R.TOKEN_TYPE_MATCHES, 'the TokenType is not a SAML token type', e));
    else if (facts.samlVersion === undefined)
      out.push(skipped(R.TOKEN_TYPE_MATCHES, 'no single assertion was found', e));
    else
      out.push(
        result(R.TOKEN_TYPE_MATCHES, {
          status: mapped.saml === facts.samlVersion ? 'pass' : 'fail',
          expected: `a SAML ${mapped.saml} assertion (as the TokenType says)`,
          got: `a SAML ${facts.samlVersion} assertion`,
          evidence: e,
        }),
      );
  } catch (error) {
    out.push(result(R.TOKEN_TYPE, { status: 'fail', got: describe(error), evidence: e }));
    out.push(skipped(R.TOKEN_TYPE_MATCHES, 'no TokenType was read', e));
  }
  return { results: sortLike(out, [R.TRANSPORT, ...later]), facts };
}

function sortLike(list: RuleResult[], order: readonly { id: string }[]): RuleResult[] {
  const pos = (id: string) => order.findIndex((d) => d.id === id);
  return [...list].sort((a, b) => pos(a.id) - pos(b.id));
}

function relatesToText(header: XmlElement | undefined): string | undefined {
  const list = header === undefined ? [] : childElements(header, NS_WSA, 'RelatesTo');
  return list.length === 0 ? undefined : list.map((r) => textOf(r).trim()).join(', ');
}
