/**
 * A realistic `check` report for the output tests: real MEX, RST (wss11, with a Nonce) and RSTR
 * (a signed SAML assertion) exchanged with the reference IdP started in-process, a real server
 * nonce, a Platform SSO token exchange with signed JWTs, a refused connection, and judged rules
 * of every status (a failing run).
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import type {
  CheckReport,
  CheckStep,
  RecordedExchange,
  RuleResult,
} from '../../packages/psso-wstrust/src/check/report.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { startTestIdp, URN } from '../e2e/support.ts';

/** The report and every secret it holds (which a redacted trace must not). */
export interface Fixture {
  readonly report: CheckReport;
  readonly password: string;
  readonly secrets: {
    readonly wsseNonce: string;
    readonly assertionSignature: string;
    readonly serverNonce: string;
    readonly requestJwtSignature: string;
    readonly idTokenSignature: string;
    readonly refreshToken: string;
    readonly accessToken: string;
  };
}

let cached: Promise<Fixture> | undefined;

/** Built once per test process. */
export function fixture(): Promise<Fixture> {
  cached ??= build();
  return cached;
}

const T0 = Date.parse('2026-12-01T05:00:00.000Z');

async function build(): Promise<Fixture> {
  const idp = await startTestIdp();
  try {
    const exchanges: RecordedExchange[] = [];
    const record = async (
      step: CheckStep,
      method: 'GET' | 'POST',
      url: string,
      headers: Record<string, string>,
      body?: string,
    ): Promise<string> => {
      const res = await httpRequest(
        { method, url, headers, ...(body === undefined ? {} : { body }) },
        { ca: idp.caPem },
      );
      const text = Buffer.from(res.body).toString('utf8');
      exchanges.push({
        index: exchanges.length,
        step,
        startedAt: new Date(T0 + exchanges.length * 1000).toISOString(),
        durationMs: 12.5 + exchanges.length,
        request: {
          method,
          url,
          headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
          ...(body === undefined ? {} : { body }),
        },
        response: {
          status: res.status,
          headers: Object.entries(res.headers).map(([name, value]) => ({ name, value })),
          body: text,
        },
        tls: {
          protocol: 'TLSv1.3',
          peerSubject: 'CN=127.0.0.1',
          peerIssuer: 'CN=psso-wstrust local CA',
          validTo: '2027-12-01T00:00:00.000Z',
          authorized: true,
        },
        redacted: false,
      });
      return text;
    };

    await record('mex', 'GET', idp.mexUrl, { accept: 'application/soap+xml' });
    const rst = buildRequestSecurityToken({
      endpoint: { version: '1.3', address: idp.sts13Url, soapAction: WSTRUST13.issueAction },
      appliesTo: URN,
      username: idp.demoUser.upn,
      password: idp.password,
      profile: 'wss11',
    });
    const wsseNonce = /<o:Nonce[^>]*>([^<]+)<\/o:Nonce>/.exec(rst.body)?.[1] ?? '';
    const rstr = await record(
      'rst',
      'POST',
      idp.sts13Url,
      {
        'content-type': `application/soap+xml; charset=utf-8; action="${WSTRUST13.issueAction}"`,
      },
      rst.body,
    );
    const assertionSignature =
      /<(?:\w+:)?SignatureValue[^>]*>([^<]+)<\/(?:\w+:)?SignatureValue>/.exec(rstr)?.[1] ?? '';
    const nonceBody = await record(
      'psso-nonce',
      'POST',
      `${idp.origin}/psso/nonce`,
      { 'content-type': 'application/x-www-form-urlencoded' },
      'grant_type=srv_challenge',
    );
    const serverNonce = (JSON.parse(nonceBody) as { Nonce: string }).Nonce;

    // A Platform SSO token exchange (synthetic answer: the test needs tokens in a response).
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const requestJwt = await new SignJWT({
      username: idp.demoUser.upn,
      password: idp.password,
      request_nonce: serverNonce,
      nonce: 'client-nonce-4f1c',
      scope: 'openid offline_access',
    })
      .setProtectedHeader({
        alg: 'ES256',
        kid: 'device-signing',
        typ: 'platformsso-login-request+jwt',
      })
      .setIssuer('psso')
      .setAudience(idp.origin)
      .setIssuedAt(T0 / 1000)
      .sign(privateKey);
    const idToken = await new SignJWT({ sub: idp.demoUser.upn, nonce: 'client-nonce-4f1c' })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer(idp.origin)
      .setAudience('psso')
      .setIssuedAt(T0 / 1000)
      .sign(privateKey);
    const refreshToken = 'rt.5d0c7a1f9e8b4c3aa1b2c3d4e5f60718';
    const accessToken = 'at-opaque-8c1b2a3d4e5f60718293a4b5c6d7e8f9';
    const tokenRequest = new URLSearchParams({
      platform_sso_version: '2.0',
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: requestJwt,
    }).toString();
    exchanges.push({
      index: exchanges.length,
      step: 'psso-token',
      startedAt: new Date(T0 + exchanges.length * 1000).toISOString(),
      durationMs: 40,
      request: {
        method: 'POST',
        url: `${idp.origin}/psso/token`,
        headers: [
          { name: 'content-type', value: 'application/x-www-form-urlencoded' },
          { name: 'authorization', value: `Bearer ${accessToken}` },
        ],
        body: tokenRequest,
      },
      response: {
        status: 200,
        headers: [{ name: 'content-type', value: 'application/json' }],
        body: JSON.stringify({
          token_type: 'Bearer',
          id_token: idToken,
          refresh_token: refreshToken,
          access_token: accessToken,
          expires_in: 3600,
        }),
      },
      redacted: false,
    });
    // A request that got no answer.
    exchanges.push({
      index: exchanges.length,
      step: 'realm',
      startedAt: new Date(T0 + exchanges.length * 1000).toISOString(),
      durationMs: 3,
      request: {
        method: 'GET',
        url: 'https://127.0.0.1:9/common/userrealm/alice@example.com?api-version=1.0',
        headers: [],
      },
      error: {
        code: 'PSSO_ERR_HTTP_NETWORK',
        message: 'Connection refused (ECONNREFUSED) at 127.0.0.1:9',
      },
      redacted: false,
    });

    const rules = RULES;
    const summary = { pass: 0, warn: 0, fail: 0, skipped: 0 };
    for (const r of rules) summary[r.status]++;
    const report: CheckReport = {
      schemaVersion: 1,
      tool: { name: 'psso-wstrust', version: '0.1.0' },
      startedAt: new Date(T0).toISOString(),
      durationMs: 812,
      target: { mexUrl: idp.mexUrl, urn: URN, username: idp.demoUser.upn, profile: 'wss11' },
      summary,
      clockOffsetSeconds: -412,
      rules,
      exchanges,
    };
    return {
      report,
      password: idp.password,
      secrets: {
        wsseNonce,
        assertionSignature,
        serverNonce,
        requestJwtSignature: requestJwt.split('.')[2] ?? '',
        idTokenSignature: idToken.split('.')[2] ?? '',
        refreshToken,
        accessToken,
      },
    };
  } finally {
    await idp.close();
  }
}

const ADFS_TIME =
  'Synchronise the AD FS server with a reliable NTP source (w32tm /resync), then retry.';

const RULES: RuleResult[] = [
  {
    id: 'mex.username-endpoint',
    step: 'mex',
    title: 'MEX offers a username/password endpoint',
    status: 'pass',
    macos: 'macOS picks the first UsernameToken endpoint of the MEX for the RST.',
    macosRule: true,
    expected: 'a WS-Trust 1.3 or 2005 endpoint with a UsernameToken policy over https',
    got: 'https://127.0.0.1/adfs/services/trust/13/usernamemixed',
    evidence: [0],
  },
  {
    id: 'rstr.relates-to',
    step: 'rstr',
    title: 'RelatesTo matches the request MessageID',
    status: 'fail',
    macos: 'macOS refuses a response whose RelatesTo is not the MessageID it sent.',
    macosRule: true,
    expected: 'urn:uuid:6C2F…A1',
    got: 'urn:uuid:0000…00 (another request)',
    remediation: {
      adfs: 'A proxy or load balancer in front of AD FS is answering with a cached response: disable response caching for /adfs/services/trust.',
      generic: 'The STS must copy the request wsa:MessageID into wsa:RelatesTo.',
    },
    evidence: [1],
  },
  {
    id: 'rstr.timestamp-created',
    step: 'rstr',
    title: 'Timestamp Created is not in the future',
    status: 'fail',
    macos: 'macOS refuses a response created more than the allowed skew in the future.',
    macosRule: true,
    expected: 'Created ≤ now + 120 s',
    got: 'Created 2026-12-01T05:06:52Z, now 2026-12-01T05:00:00Z (412 s ahead)',
    remediation: { adfs: ADFS_TIME, generic: 'Synchronise the IdP clock with NTP.' },
    evidence: [1],
  },
  {
    id: 'saml.signature',
    step: 'saml',
    title: 'Assertion signature algorithm',
    status: 'warn',
    macos: 'macOS hands the assertion on; the relying party verifies its signature.',
    macosRule: false,
    expected: 'RSA-SHA256',
    got: 'RSA-SHA1',
    remediation: {
      adfs: 'Set-AdfsRelyingPartyTrust -TargetName "Microsoft Office 365 Identity Platform" -SignatureAlgorithm http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      generic: 'Sign assertions with RSA-SHA256.',
    },
    evidence: [1],
  },
  {
    id: 'psso.token-response',
    step: 'psso-token',
    title: 'Token endpoint answers with tokens',
    status: 'skipped',
    macos: 'macOS posts the assertion to the token endpoint.',
    macosRule: true,
    evidence: [],
    skippedBecause: 'the WS-Trust response was refused (rstr.relates-to)',
  },
  {
    id: 'realm.user-realm',
    step: 'realm',
    title: 'User realm discovery',
    status: 'warn',
    macos: '',
    macosRule: false,
    expected: 'a user realm document',
    got: 'connection refused',
    remediation: { adfs: 'Check the firewall.', generic: 'Check the firewall.' },
    evidence: [4],
  },
];
