/**
 * The user-realm and MEX rules: the realm answer names a MEX URL; the MEX GET succeeds; the
 * document is WSDL with a username-token policy over a secure transport, a SOAP 1.2 binding with
 * an Issue action, a port with an address, an https username endpoint (1.3 preferred); plus the
 * engineer's rules: http endpoints offered, STS on another host than the MEX.
 *
 * @module
 */
import { MexError } from '../../errors.js';
import { parseMex } from '../../mex/parse.js';
import type { MexEndpoint, MexMetadata } from '../../mex/types.js';
import type { RawExchange } from '../record.js';
import type { RuleResult } from '../report.js';
import { describe, result, rule, skipped } from './rule.js';

const ENABLE_USERNAMEMIXED =
  'Enable-AdfsEndpoint -TargetAddressPath /adfs/services/trust/13/usernamemixed; Set-AdfsEndpoint -TargetAddressPath /adfs/services/trust/13/usernamemixed -Proxy $true (and the same for /2005/usernamemixed), then restart adfssrv on every node.';

export const REALM_STATUS = rule(
  'realm.response',
  'realm',
  'User realm answers',
  'macOS GETs the preauthentication URL and fails the login on a transport error, a status outside 200-299 or a body that is not JSON.',
  'HTTP 200-299 with a JSON object',
  {
    adfs: 'The user realm is Microsoft Entra’s: check the domain is federated (Get-MgDomainFederationConfiguration -DomainId <domain>).',
    generic: 'Make the preauthentication URL answer 200 with a JSON object for the user.',
  },
);

export const REALM_FEDERATED = rule(
  'realm.federated',
  'realm',
  'User realm names a MEX URL',
  'macOS treats the user as federated when account_type is Federated and takes the MEX URL from federation_metadata_url.',
  'account_type "Federated" and an https federation_metadata_url',
  {
    adfs: 'Update-MgDomainFederationConfiguration -DomainId <domain> -MetadataExchangeUri https://<fs>/adfs/services/trust/mex',
    generic: 'Return account_type "Federated" and federation_metadata_url for federated users.',
  },
);

export const MEX_FETCH = rule(
  'mex.fetch',
  'mex',
  'MEX document is served',
  'macOS GETs the MEX URL (no redirect followed) and fails the login on a transport error or a status outside 200-299.',
  'HTTP 200-299',
  {
    adfs: 'Get-AdfsEndpoint -AddressPath /adfs/services/trust/mex; Set-AdfsEndpoint -TargetAddressPath /adfs/services/trust/mex -Proxy $true (the MEX must be reachable through the WAP).',
    generic:
      'Serve the MEX document at the configured URL with status 200, directly (no redirect).',
  },
);

export const MEX_WSDL = rule(
  'mex.wsdl',
  'mex',
  'MEX is a WSDL document',
  'macOS loads the MEX body as XML and looks for wsdl:definitions; anything else fails with "Failed to load mex response as XML".',
  'well-formed XML holding wsdl:definitions',
  {
    adfs: 'The URL must be /adfs/services/trust/mex on the federation service; check a proxy or WAF is not answering instead.',
    generic: 'Serve a WS-MetadataExchange / WSDL 1.1 document at the MEX URL.',
  },
);

export const MEX_POLICY = rule(
  'mex.username-policy',
  'mex',
  'Username-token policy over a secure transport',
  'macOS needs a wsp:Policy with a WssUsernameToken10 supporting token and a TransportBinding.',
  'a policy with sp:SignedEncryptedSupportingTokens (1.3) or sp:SignedSupportingTokens (2005) / UsernameToken / WssUsernameToken10, and sp:TransportBinding',
  {
    adfs: ENABLE_USERNAMEMIXED,
    generic: 'Publish a username/password (usernamemixed) endpoint policy over TLS in the MEX.',
  },
);

export const MEX_BINDING = rule(
  'mex.binding',
  'mex',
  'SOAP 1.2 binding with a WS-Trust Issue action',
  'macOS needs a soap12:binding over HTTP whose operation has the WS-Trust 1.3 or 2005 Issue soapAction and references the username policy.',
  'a soap12 binding with an Issue soapAction referencing the username policy',
  {
    adfs: ENABLE_USERNAMEMIXED,
    generic: 'Bind the username policy to a SOAP 1.2 binding with the WS-Trust Issue action.',
  },
);

export const MEX_PORT = rule(
  'mex.port',
  'mex',
  'A service port uses the username binding',
  'macOS needs a wsdl:port with a wsa:EndpointReference/Address using that binding.',
  'a wsdl:port with an EndpointReference Address',
  {
    adfs: ENABLE_USERNAMEMIXED,
    generic: 'Add a service port with an endpoint address for the username binding.',
  },
);

export const MEX_HTTPS = rule(
  'mex.https',
  'mex',
  'Username endpoint address is https',
  'macOS only sends a password to an https endpoint address.',
  'an https:// address',
  {
    adfs: 'Check the federation service name and HttpsPort (Get-AdfsProperties); the usernamemixed endpoints must be published over https.',
    generic: 'Publish the username/password endpoint with an https:// address.',
  },
);

export const MEX_ENDPOINT = rule(
  'mex.username-endpoint',
  'mex',
  'A username/password endpoint is chosen',
  'macOS picks the first WS-Trust 1.3 username endpoint, else the first 2005 one; none fails with "Failed to find valid WSTrust values in mex response".',
  'a WS-Trust 1.3 (preferred) or 2005 usernamemixed endpoint',
  {
    adfs: ENABLE_USERNAMEMIXED,
    generic: 'Publish a usernamemixed endpoint in the MEX (WS-Trust 1.3 preferred).',
  },
);

export const MEX_HTTP_ENDPOINTS = rule(
  'mex.http-endpoints',
  'mex',
  'No plain-http endpoint offered',
  '',
  'every username/password endpoint address is https',
  {
    adfs: 'Disable or stop proxying the http endpoints: Disable-AdfsEndpoint -TargetAddressPath <path>, then restart adfssrv.',
    generic:
      'Remove http:// endpoint addresses from the MEX; a client that used them would send the password in clear.',
  },
);

export const MEX_STS_HOST = rule(
  'mex.sts-host',
  'mex',
  'STS on the same host as the MEX',
  '',
  'the chosen endpoint on the MEX host',
  {
    adfs: 'Check the federation service name (Get-AdfsProperties | fl HostName) and that the MEX URL is the farm’s own.',
    generic: 'Confirm the endpoint host is yours: the password is sent there.',
  },
);

/** What the MEX step gave. */
export interface MexFacts {
  readonly exchange?: RawExchange;
  readonly metadata?: MexMetadata;
  /** The endpoints the RST was sent to, in order (1.3 first). */
  readonly candidates: readonly MexEndpoint[];
}

/**
 * Judges the realm exchange (when there is one).
 *
 * @example
 * ```ts
 * judgeRealm(exchanges.find((x) => x.step === 'realm'));
 * ```
 */
export function judgeRealm(x: RawExchange | undefined): RuleResult[] {
  if (x === undefined) return [];
  const ev = [x.index];
  if (x.response === undefined || x.response.status < 200 || x.response.status > 299) {
    return [
      result(REALM_STATUS, {
        status: 'fail',
        got:
          x.response === undefined
            ? `${x.error?.code}: ${x.error?.message}`
            : `HTTP ${x.response.status}`,
        evidence: ev,
      }),
      skipped(REALM_FEDERATED, 'the user realm request failed', ev),
    ];
  }
  let json: unknown;
  try {
    json = JSON.parse(x.response.body);
  } catch {
    json = undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return [
      result(REALM_STATUS, {
        status: 'fail',
        got: 'a body that is not a JSON object',
        evidence: ev,
      }),
      skipped(REALM_FEDERATED, 'the user realm answer is not JSON', ev),
    ];
  }
  const o = json as Record<string, unknown>;
  const url = o.federation_metadata_url;
  const ok = o.account_type === 'Federated' && typeof url === 'string' && /^https:\/\//i.test(url);
  return [
    result(REALM_STATUS, { status: 'pass', got: `HTTP ${x.response.status}, JSON`, evidence: ev }),
    result(REALM_FEDERATED, {
      status: ok ? 'pass' : 'fail',
      got: `account_type ${JSON.stringify(o.account_type)}, federation_metadata_url ${JSON.stringify(url)}`,
      evidence: ev,
    }),
  ];
}

/**
 * Judges the MEX exchange with the library's own parser, mapping its error code to the rule.
 *
 * @example
 * ```ts
 * const { results, facts } = judgeMex(mexExchange, rstExchanges);
 * ```
 */
export function judgeMex(
  x: RawExchange | undefined,
  rstUrls: readonly string[],
): { results: RuleResult[]; facts: MexFacts } {
  const all = [MEX_FETCH, MEX_WSDL, MEX_POLICY, MEX_BINDING, MEX_PORT, MEX_HTTPS, MEX_ENDPOINT];
  if (x === undefined) return { results: [], facts: { candidates: [] } };
  const ev = [x.index];
  const out: RuleResult[] = [];
  if (x.response === undefined || x.response.status < 200 || x.response.status > 299) {
    out.push(
      result(MEX_FETCH, {
        status: 'fail',
        got:
          x.response === undefined
            ? `${x.error?.code}: ${x.error?.message}`
            : `HTTP ${x.response.status}`,
        evidence: ev,
      }),
    );
    for (const d of all.slice(1)) out.push(skipped(d, 'the MEX document could not be fetched', ev));
    out.push(skipped(MEX_HTTP_ENDPOINTS, 'the MEX document could not be fetched', ev));
    out.push(skipped(MEX_STS_HOST, 'the MEX document could not be fetched', ev));
    return { results: out, facts: { exchange: x, candidates: [] } };
  }
  out.push(result(MEX_FETCH, { status: 'pass', got: `HTTP ${x.response.status}`, evidence: ev }));
  let metadata: MexMetadata | undefined;
  let failedAt = -1;
  let error: unknown;
  try {
    metadata = parseMex(x.response.body);
  } catch (e) {
    error = e;
    const order = [
      'PSSO_ERR_MEX_NOT_WSDL',
      'PSSO_ERR_MEX_NO_USERNAME_POLICY',
      'PSSO_ERR_MEX_NO_MATCHING_BINDING',
      'PSSO_ERR_MEX_NO_MATCHING_PORT',
      'PSSO_ERR_MEX_INSECURE_ADDRESS',
    ];
    failedAt = e instanceof MexError ? order.indexOf(e.code) : 0; // an XmlError: not WSDL
  }
  const rulesInOrder = all.slice(1, 6);
  rulesInOrder.forEach((d, i) => {
    if (failedAt === -1 || i < failedAt)
      out.push(result(d, { status: 'pass', evidence: ev, got: 'present' }));
    else if (i === failedAt)
      out.push(result(d, { status: 'fail', got: describe(error), evidence: ev }));
    else out.push(skipped(d, `${rulesInOrder[failedAt]?.id} failed`, ev));
  });
  const first = metadata?.usernamePassword[0];
  out.push(
    metadata === undefined || first === undefined
      ? result(MEX_ENDPOINT, { status: 'fail', got: describe(error), evidence: ev })
      : result(MEX_ENDPOINT, {
          status: first.version === '1.3' ? 'pass' : 'warn',
          got: `WS-Trust ${first.version} ${first.address}`,
          evidence: ev,
          ...(first.version === '1.3'
            ? {}
            : {
                remediation: {
                  adfs: 'Only the 2005 endpoint is offered: Enable-AdfsEndpoint -TargetAddressPath /adfs/services/trust/13/usernamemixed and Set-AdfsEndpoint … -Proxy $true.',
                  generic: 'Offer a WS-Trust 1.3 usernamemixed endpoint; macOS prefers it.',
                },
              }),
        }),
  );
  const insecure = insecureAddresses(x.response.body, metadata);
  out.push(
    insecure.length > 0
      ? result(MEX_HTTP_ENDPOINTS, { status: 'warn', got: insecure.join(', '), evidence: ev })
      : result(MEX_HTTP_ENDPOINTS, { status: 'pass', got: 'no http:// address', evidence: ev }),
  );
  const candidates: MexEndpoint[] = [];
  const c13 = metadata?.usernamePassword.find((e) => e.version === '1.3');
  const c2005 = metadata?.usernamePassword.find((e) => e.version === '2005');
  if (c13 !== undefined) candidates.push(c13);
  if (c2005 !== undefined) candidates.push(c2005);
  const targets = candidates.length > 0 ? candidates.map((c) => c.address) : [...rstUrls];
  if (targets.length === 0) {
    out.push(skipped(MEX_STS_HOST, 'no endpoint was chosen', ev));
  } else {
    const mexHost = hostOf(x.request.url);
    const other = targets.filter((t) => hostOf(t) !== mexHost);
    out.push(
      result(MEX_STS_HOST, {
        status: other.length > 0 ? 'warn' : 'pass',
        expected: `endpoint host ${mexHost}`,
        got:
          other.length > 0 ? `the password goes to ${other.map(hostOf).join(', ')}` : `${mexHost}`,
        evidence: ev,
      }),
    );
  }
  return {
    results: out,
    facts: { exchange: x, ...(metadata === undefined ? {} : { metadata }), candidates },
  };
}

function insecureAddresses(body: string, metadata: MexMetadata | undefined): string[] {
  if (metadata !== undefined)
    return metadata.skipped.filter((s) => s.reason === 'insecure-address').map((s) => s.address);
  // The parser threw: report http addresses it would have refused.
  return [...body.matchAll(/<(?:[\w.-]+:)?Address>\s*(http:\/\/[^<\s]+)\s*</g)].map(
    (m) => m[1] as string,
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}
