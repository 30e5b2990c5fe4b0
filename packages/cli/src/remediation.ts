/**
 * What to do about each error code: a generic fix any IdP administrator or user can act on and,
 * where AD FS is the usual IdP, the AD FS setting or cmdlet (facts from
 * `docs/ADFS-NOTES.md`). `reportError` prints it under the error; `--json` carries it as
 * `remediation` and `adfs`. The README's error → remediation table is generated from it
 * (`node --import tsx scripts/remediation-table.ts`).
 *
 * The type is total over {@link PssoErrorCode}: a new code without a remediation does not compile.
 *
 * @module
 */
import type { PssoErrorCode } from 'psso-wstrust';

/** The remediation of one error code. */
export interface Remediation {
  /** What to do, for any IdP. */
  readonly fix: string;
  /** The AD FS side of it, when AD FS has a setting for it. */
  readonly adfs?: string;
}

const xml = (what: string): Remediation => ({
  fix: `The document is refused (${what}). It did not come from a WS-Trust/MEX server as expected: check that the URL points at the IdP (not a proxy or login page), and inspect a saved copy of the body (--verbose shows which request answered it).`,
});

const jose = (what: string): Remediation => ({
  fix: `The token endpoint's response is not what Platform SSO accepts (${what}): the IdP's Platform SSO implementation must be fixed; check that the device keys registered at the IdP are this Mac's.`,
});

/**
 * The remediation of every code.
 *
 * @example
 * ```ts
 * REMEDIATIONS.PSSO_ERR_WSTRUST_CREATED_IN_FUTURE.fix;
 * ```
 */
export const REMEDIATIONS: Readonly<Record<PssoErrorCode, Remediation>> = Object.freeze({
  PSSO_ERR_XML_MALFORMED: xml('not well-formed XML'),
  PSSO_ERR_XML_DOCTYPE: xml('a DOCTYPE, never sent by an STS'),
  PSSO_ERR_XML_ENCODING: xml('an encoding other than UTF-8'),
  PSSO_ERR_XML_NAMESPACE: xml('an undeclared namespace prefix'),
  PSSO_ERR_XML_UNDEFINED_ENTITY: xml('an undefined entity'),
  PSSO_ERR_XML_TOO_LARGE: xml('past the size limit'),
  PSSO_ERR_XML_TOO_DEEP: xml('nested too deeply'),
  PSSO_ERR_XML_TOO_MANY_ATTRIBUTES: xml('too many attributes'),
  PSSO_ERR_HTTP_INVALID_URL: {
    fix: 'Give an absolute https:// URL without a user name or password in it.',
  },
  PSSO_ERR_HTTP_INSECURE_URL: {
    fix: 'Only https:// is used (macOS refuses http). Use the https:// URL of the server.',
    adfs: 'The MEX and the usernamemixed endpoints are served on https://<fs>/adfs/services/trust/…',
  },
  PSSO_ERR_HTTP_TIMEOUT: {
    fix: 'The server did not answer in time (macOS gives up after 30 s). Check that it is up and reachable from this network (VPN, proxy, firewall); raise --timeout or --deadline only to diagnose.',
    adfs: 'From outside, requests go through the Web Application Proxy: check that the WAP ↔ AD FS trust is healthy and the endpoint is proxied (Get-AdfsEndpoint).',
  },
  PSSO_ERR_HTTP_RESPONSE_TOO_LARGE: {
    fix: 'The response is larger than the limit: check the URL answers what is expected (not a large page); raise --max-response-bytes if the document is genuinely large.',
  },
  PSSO_ERR_HTTP_REDIRECT: {
    fix: 'The server redirects; macOS does not follow redirects for these requests. Configure the final URL (the Location the server names).',
  },
  PSSO_ERR_HTTP_TOO_MANY_REDIRECTS: {
    fix: 'The server redirects in a loop or too often. Configure the final URL.',
  },
  PSSO_ERR_HTTP_STATUS: {
    fix: 'The server answered with an unexpected HTTP status: check the URL (path, host) and the server logs for that time.',
    adfs: 'A 404/503 from outside usually means the endpoint is not enabled or not proxied: Get-AdfsEndpoint -AddressPath /adfs/services/trust/13/usernamemixed; Enable-AdfsEndpoint and Set-AdfsEndpoint -Proxy $true, then Restart-Service adfssrv on every node.',
  },
  PSSO_ERR_HTTP_CONTENT_TYPE: {
    fix: 'An HTML page answered in place of the MEX or the STS (a sign-in page, a proxy or a firewall block page): open the URL in a browser to see which, and let the request reach the server unchanged (no pre-authentication, no inspection that rewrites it).',
    adfs: 'Through the Web Application Proxy, publish the AD FS endpoints with pass-through pre-authentication; the MEX and usernamemixed endpoints must be proxied (Set-AdfsEndpoint -Proxy $true).',
  },
  PSSO_ERR_HTTP_NETWORK: {
    fix: 'The request failed below HTTP; the hint says which cause (refused, DNS, TLS trust, expiry, host name) and what to do.',
    adfs: 'For TLS: the AD FS/WAP TLS certificate is set with Set-AdfsSslCertificate and Set-WebApplicationProxySslCertificate; the Mac must trust its CA.',
  },
  PSSO_ERR_MEX_NOT_WSDL: {
    fix: 'The MEX URL did not return a WSDL/MEX document: check federationMEXURL (it must be the MEX, not federation metadata or a login page).',
    adfs: 'The MEX is https://<fs>/adfs/services/trust/mex; from outside it must be proxied: Set-AdfsEndpoint -TargetAddressPath /adfs/services/trust/mex -Proxy $true.',
  },
  PSSO_ERR_MEX_NO_USERNAME_POLICY: {
    fix: 'The MEX offers no username/password (UsernameToken over TLS) endpoint; enable one at the IdP.',
    adfs: 'Enable-AdfsEndpoint -TargetAddressPath /adfs/services/trust/13/usernamemixed and Set-AdfsEndpoint … -Proxy $true (also /2005/usernamemixed), then Restart-Service adfssrv on every node.',
  },
  PSSO_ERR_MEX_NO_MATCHING_BINDING: {
    fix: 'No SOAP 1.2 binding in the MEX uses the username/password policy: the IdP must publish the usernamemixed endpoint with a SOAP 1.2 binding.',
    adfs: 'Enable and proxy /adfs/services/trust/13/usernamemixed (Enable-AdfsEndpoint, Set-AdfsEndpoint -Proxy $true), then restart adfssrv.',
  },
  PSSO_ERR_MEX_NO_MATCHING_PORT: {
    fix: 'No WSDL port uses the username/password binding: the IdP must publish the endpoint address.',
    adfs: 'Enable and proxy /adfs/services/trust/13/usernamemixed, then restart adfssrv (endpoints are bound at service start).',
  },
  PSSO_ERR_MEX_INSECURE_ADDRESS: {
    fix: 'The MEX offers the password endpoint over plain http; macOS needs https. Publish it on https.',
    adfs: 'Check the federation service name and HttpsPort (Get-AdfsProperties); the usernamemixed address must be https://.',
  },
  PSSO_ERR_RST_PASSWORD_DIGEST_UNSUPPORTED: {
    fix: 'PasswordDigest is not supported: use the plain-text UsernameToken over TLS, as macOS does.',
  },
  PSSO_ERR_SOAP_NOT_ENVELOPE: {
    fix: 'The STS answer is not a SOAP envelope (often an HTML error page from a proxy or load balancer): compare with the same request sent directly to the STS.',
  },
  PSSO_ERR_SOAP_VERSION_MISMATCH: {
    fix: 'The STS answered SOAP 1.1; macOS needs SOAP 1.2. Use the endpoint with the SOAP 1.2 binding from the MEX.',
    adfs: 'AD FS usernamemixed endpoints answer SOAP 1.2; a SOAP 1.1 answer means another STS or a proxy in between.',
  },
  PSSO_ERR_WSTRUST_RELATES_TO_MISSING: {
    fix: 'The answer has no wsa:RelatesTo, so macOS cannot tie it to its request (it fails even for a fault). The answer probably did not come from the STS: look for a proxy, WAF or cache in between.',
    adfs: 'AD FS copies the MessageID into RelatesTo; send the same request directly to AD FS inside to compare.',
  },
  PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH: {
    fix: 'The answer is for another request (expected and got are shown): a cache, proxy or a replayed answer is in between. Disable caching of the STS endpoint.',
    adfs: 'AD FS copies the request MessageID into RelatesTo; compare with a request sent directly to AD FS.',
  },
  PSSO_ERR_WSTRUST_TIMESTAMP_MISSING: {
    fix: 'The answer has no wsu:Timestamp Created in its Security header; macOS requires one. The STS must stamp its responses.',
  },
  PSSO_ERR_WSTRUST_TIME_INVALID: {
    fix: 'A Created/Expires value is not a date-time with a time zone, or Expires precedes Created: the STS must be fixed.',
  },
  PSSO_ERR_WSTRUST_CREATED_IN_FUTURE: {
    fix: 'The STS clock is ahead of this machine by more than the allowed skew (value, now and skew are shown): synchronize both clocks with NTP.',
    adfs: 'On each AD FS node: w32tm /query /status, w32tm /resync; domain members: w32tm /config /syncfromflags:domhier /update. Check the Mac’s clock too.',
  },
  PSSO_ERR_WSTRUST_EXPIRED: {
    fix: 'The answer expired before this machine’s now minus the skew (value, window and now are shown): one of the clocks is behind. Synchronize both with NTP.',
    adfs: 'AD FS stamps a 5-minute window: "expired" means AD FS is behind by about 7 min or more. w32tm /resync on every node.',
  },
  PSSO_ERR_WSTRUST_LIFETIME_NOT_YET_VALID: {
    fix: 'The token Lifetime starts in the future beyond the skew: synchronize the clocks.',
    adfs: 'Set-AdfsRelyingPartyTrust -TargetIdentifier urn:federation:MicrosoftOnline -NotBeforeSkew <minutes> moves the start earlier; fix the clocks first.',
  },
  PSSO_ERR_WSTRUST_LIFETIME_EXPIRED: {
    fix: 'The token Lifetime has ended: synchronize the clocks, or lengthen the token lifetime.',
    adfs: 'Set-AdfsRelyingPartyTrust -TargetIdentifier urn:federation:MicrosoftOnline -TokenLifetime <minutes> (0 means the 60-minute default).',
  },
  PSSO_ERR_WSTRUST_RESPONSE_SHAPE: {
    fix: 'The RSTR does not have the shape of its WS-Trust version (the message says what): check the endpoint version the MEX advertises, or fix the STS.',
  },
  PSSO_ERR_WSTRUST_TOKEN_COUNT: {
    fix: 'The RSTR must hold exactly one RequestedSecurityToken with one SAML assertion.',
    adfs: 'No assertion usually means the token is encrypted for the relying party: Set-AdfsRelyingPartyTrust -TargetIdentifier urn:federation:MicrosoftOnline -EncryptClaims $false.',
  },
  PSSO_ERR_WSTRUST_NOT_SAML: {
    fix: 'The requested token is not a SAML 1.1/2.0 assertion (encrypted, or another token type): the relying party must issue a plain SAML assertion.',
    adfs: 'Set-AdfsRelyingPartyTrust -TargetIdentifier urn:federation:MicrosoftOnline -EncryptClaims $false.',
  },
  PSSO_ERR_WSTRUST_TOKEN_TYPE_MISSING: {
    fix: 'The RSTR has no TokenType; the STS must name the SAML token type it issued.',
  },
  PSSO_ERR_WSTRUST_UNKNOWN_TOKEN_TYPE: {
    fix: 'The TokenType is none of the SAML 1.1/2.0 URIs (shown as detail); macOS would send it as saml2-bearer. The STS must be fixed.',
  },
  PSSO_ERR_WSTRUST_TOKEN_TYPE_MISMATCH: {
    fix: 'The TokenType names one SAML version and the assertion is the other: the STS must be fixed.',
  },
  PSSO_ERR_WSTRUST_FAULT: {
    fix: 'The STS refused the request with a SOAP fault (code, subcode and reason are shown): read the IdP’s log for that time.',
    adfs: 'MSIS3127: read event 111 in the AD FS/Admin log for the same time. MSIS7007: the AppliesTo (federationRequestURN) matches no relying party trust: Get-AdfsRelyingPartyTrust -Identifier urn:federation:MicrosoftOnline.',
  },
  PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION: {
    fix: 'The STS refused the user name or password (FailedAuthentication): check both, and whether the account is locked out.',
    adfs: 'ID3242: wrong password or unknown user. MSIS7068 (access denied): an issuance-authorization or access-control policy; Get-AdfsRelyingPartyTrust … | fl IssuanceAuthorizationRules,AccessControlPolicyName. Lockout: Get-AdfsAccountActivity user@domain, Reset-AdfsAccountLockout user@domain -Location Unknown.',
  },
  PSSO_ERR_SAML_MALFORMED: {
    fix: 'The assertion is not one well-formed, uniquely identified SAML assertion (wrapping, duplicate ids, trailing content): the IdP must be fixed, or something in between altered it.',
  },
  PSSO_ERR_SAML_SIGNATURE: {
    fix: 'The assertion is unsigned, or not signed over the whole assertion by a trusted token-signing certificate with an allowed algorithm: give the current token-signing certificate with --signing-cert, or fix the signature algorithm.',
    adfs: 'Get-AdfsCertificate -CertificateType Token-Signing shows the primary certificate. RSA-SHA1: Set-AdfsRelyingPartyTrust -TargetName "Microsoft Office 365 Identity Platform" -SignatureAlgorithm http://www.w3.org/2001/04/xmldsig-more#rsa-sha256.',
  },
  PSSO_ERR_SAML_GRANT_MISMATCH: {
    fix: 'The grant type does not match the assertion’s SAML version: send saml1_1-bearer for SAML 1.1 and saml2-bearer for SAML 2.0.',
  },
  PSSO_ERR_SAML_ISSUER: {
    fix: 'The assertion issuer is not the one trusted for this domain: align the IdP issuer with the relying party’s configuration.',
    adfs: 'Entra compares with the domain issuerUri: Get-MgDomainFederationConfiguration; multi-domain farms need the issuerid claim rule.',
  },
  PSSO_ERR_SAML_AUDIENCE: {
    fix: 'The assertion audience is not the relying party: the federationRequestURN must equal the relying party identifier.',
    adfs: 'The RP trust identifier is urn:federation:MicrosoftOnline: Get-AdfsRelyingPartyTrust -Identifier urn:federation:MicrosoftOnline.',
  },
  PSSO_ERR_SAML_RECIPIENT: {
    fix: 'The bearer confirmation Recipient is not the token endpoint: configure the relying party’s endpoint.',
  },
  PSSO_ERR_SAML_CONDITIONS: {
    fix: 'The assertion is not valid now (NotBefore/NotOnOrAfter): synchronize the clocks, check the token lifetime.',
    adfs: 'Set-AdfsRelyingPartyTrust -TokenLifetime / -NotBeforeSkew; w32tm /resync on every node.',
  },
  PSSO_ERR_SAML_SUBJECT: {
    fix: 'The assertion needs exactly one subject with a bearer confirmation: fix the IdP’s claim rules.',
    adfs: 'The Entra relying party needs the "Issue nameidentifier" rule (NameIdentifier = ImmutableID).',
  },
  PSSO_ERR_SAML_REPLAY: {
    fix: 'This assertion was already used: request a fresh one (log in again).',
  },
  PSSO_ERR_IDP_CONFIG: { fix: 'Fix the reference IdP configuration: the message names the field.' },
  PSSO_ERR_IDP_DATA_DIR: {
    fix: 'The reference IdP data folder is unusable: check it exists and is writable by this user only.',
  },
  PSSO_ERR_IDP_KEY_FILE_MODE: {
    fix: 'A key file of the reference IdP is readable by other users: chmod 600 it (and 700 its folder).',
  },
  PSSO_ERR_IDP_PORT_IN_USE: {
    fix: 'Another process listens on that port: stop it, or choose another --port.',
  },
  PSSO_ERR_IDP_STORE_UNAVAILABLE: {
    fix: 'A store of the IdP (SQLite, PostgreSQL or Redis) cannot answer: check it is running and reachable; the IdP fails closed meanwhile.',
  },
  PSSO_ERR_IDP_REPLAY_CACHE_FULL: {
    fix: 'The replay cache is full: raise its capacity or wait for entries to expire.',
  },
  PSSO_ERR_IDP_USER_EXISTS: {
    fix: 'That user exists already: choose another UPN or remove it first.',
  },
  PSSO_ERR_IDP_USER_NOT_FOUND: { fix: 'No such user: check the UPN (idp user list).' },
  PSSO_ERR_IDP_BUSY: { fix: 'The IdP is busy: retry after the Retry-After delay.' },
  PSSO_ERR_IDP_REGISTRATION_INVALID: {
    fix: 'Register public keys only: a P-256 JWK (or the key of the declared HPKE suite) without its private part, a known encryption algorithm and a client id of 1 to 256 characters; a user key already registered to another user must be removed there first.',
  },
  PSSO_ERR_IDP_REQUEST_INVALID: {
    fix: 'The client sent a body the IdP cannot parse (invalid JSON): fix the client or the proxy in front of the IdP.',
  },
  PSSO_ERR_IDP_WORKER_EXITED: {
    fix: 'An IdP worker process stopped before listening: its own error is in the log above; fix it, or run without --workers to see it directly.',
  },
  PSSO_ERR_IDP_METRICS_UNAVAILABLE: {
    fix: 'The cluster primary did not answer a /metrics request in time: retry; if it persists, restart the IdP.',
  },
  PSSO_ERR_IDP_KEYS_MISSING: {
    fix: 'The data folder has no IdP keys to export: start the IdP once on it (psso-wstrust idp --data DIR), or export from the folder that has them.',
  },
  PSSO_ERR_IDP_KEY_BUNDLE_FORMAT: {
    fix: 'The file is not a key bundle written by `idp keys export` (not JSON, a field missing or mistyped, or its digest does not match): export it again and copy it unchanged.',
  },
  PSSO_ERR_IDP_KEY_BUNDLE_VERSION: {
    fix: 'The bundle was written by another version of psso-wstrust: export it with the version that imports it, or upgrade this one.',
  },
  PSSO_ERR_IDP_KEY_BUNDLE_INVALID: {
    fix: 'A key in the bundle does not parse, is of the wrong kind or size, or a certificate does not match its key: export it again from a working IdP.',
  },
  PSSO_ERR_IDP_KEY_BUNDLE_CONFLICT: {
    fix: "The data folder already holds different keys: import into an empty folder, or pass --force to replace them (clients trusting this folder's CA or signing certificate must then be given the bundle's).",
  },
  PSSO_ERR_CHECK_TRACE: {
    fix: 'Pass the HAR file written by check --trace, or a HAR 1.2 export from the browser’s dev tools (at most 32 MiB and 1000 entries); the message names the field that is wrong.',
  },
  PSSO_ERR_CONFIG_JSON: { fix: 'The login configuration is not a JSON object: fix the file.' },
  PSSO_ERR_CONFIG_FIELD: {
    fix: 'A field of the login configuration is unknown or of the wrong type (the message names it): fix the profile.',
  },
  PSSO_ERR_CONFIG_CLIENT_ID_MISSING: { fix: 'Set clientID in the login configuration.' },
  PSSO_ERR_CONFIG_ISSUER_MISSING: { fix: 'Set issuer in the login configuration.' },
  PSSO_ERR_CONFIG_URL_INVALID: {
    fix: 'An endpoint URL of the login configuration is not an https URL: fix it (the message names it).',
  },
  PSSO_ERR_CONFIG_FEDERATION_TYPE: {
    fix: 'federationType must be none, wsTrust or dynamicWSTrust.',
  },
  PSSO_ERR_CONFIG_FEDERATION_URN_MISSING: {
    fix: 'Set federationRequestURN (for Entra with AD FS: urn:federation:MicrosoftOnline).',
  },
  PSSO_ERR_CONFIG_MEX_URL_MISSING: {
    fix: 'Set federationMEXURL (AD FS: https://<fs>/adfs/services/trust/mex).',
  },
  PSSO_ERR_CONFIG_PREAUTH_URL_MISSING: {
    fix: 'dynamicWSTrust needs federationUserPreauthenticationURL (the user realm URL).',
  },
  PSSO_ERR_CONFIG_MEX_KEYPATH_MISSING: {
    fix: 'dynamicWSTrust needs federationMEXURLKeypath (Entra: federation_metadata_url).',
  },
  PSSO_ERR_CONFIG_PREDICATE_INVALID: {
    fix: 'A predicate of the login configuration does not parse (the position is shown): fix its syntax.',
  },
  PSSO_ERR_KEYS_FILE: {
    fix: 'The device key file is unreadable, malformed or open to other users: fix its mode (0600) or remove it to create new keys (then register the device again).',
  },
  PSSO_ERR_KEYS_MISSING: {
    fix: 'There is no device key file: create one with `psso-wstrust psso keys create --keys FILE`, register its public keys at the IdP (reference IdP: `psso-wstrust idp device add --client-id psso --keys FILE`; another IdP: give it `psso keys show --public`), then log in with the same --keys FILE.',
  },
  PSSO_ERR_PREDICATE_SYNTAX: {
    fix: 'The predicate does not parse at the position shown: fix its syntax.',
  },
  PSSO_ERR_PREDICATE_EVALUATION: {
    fix: 'The predicate raised on this value (as NSPredicate would): compare strings with strings, keep MATCHES patterns valid.',
  },
  PSSO_ERR_LOGIN_RESPONSE_FORMAT: jose('not a JWE of the expected form'),
  PSSO_ERR_LOGIN_RESPONSE_ALGORITHM: jose('a JWE algorithm macOS does not accept'),
  PSSO_ERR_LOGIN_RESPONSE_DECRYPT: jose('it does not decrypt with this device’s encryption key'),
  PSSO_ERR_LOGIN_RESPONSE_APU: jose('the apu does not match'),
  PSSO_ERR_LOGIN_RESPONSE_APV: jose('the apv does not match this request'),
  PSSO_ERR_LOGIN_RESPONSE_FIELDS: jose('a required field is missing'),
  PSSO_ERR_LOGIN_RESPONSE_EMPTY: {
    fix: 'The token endpoint answered 2xx with an empty body (macOS: "Failed to parse login response."): some IdPs signal a refused login this way. Check the IdP log for the refusal (user, password, device registration); if the login should succeed, the IdP must answer with the encrypted login response (a compact JWE).',
  },
  PSSO_ERR_ID_TOKEN_KID: jose('the id_token kid is not in the JWKS'),
  PSSO_ERR_ID_TOKEN_SIGNATURE: jose('the id_token signature does not verify'),
  PSSO_ERR_ID_TOKEN_CLAIMS: {
    fix: 'The id_token claims (iss, aud, nonce, exp) do not match: check issuer and clientID in the login configuration.',
  },
  PSSO_ERR_JWKS: {
    fix: 'The JWKS could not be fetched or read: check jwksEndpointURL.',
  },
  PSSO_ERR_LOGIN_INVALID_CREDENTIALS: {
    fix: 'The token endpoint refused the credentials (the invalidCredentialPredicate matched its error, shown with status, error and suberror): check the password; for a federated user, the assertion (see error_description).',
  },
  PSSO_ERR_LOGIN_FAILED: {
    fix: 'The token endpoint refused the request for another reason than the credentials (status, error, error_description and suberror are shown): device_authentication_failed means the device is unknown to the IdP or signed with another key (register it again); a wrong client_id, audience or unsigned assertion is said in error_description.',
  },
  PSSO_ERR_LOGIN_DEVICE_REJECTED: {
    fix: 'The IdP refused the device, not the user (suberror device_authentication_failed; its error_description says why): register this device key file at the IdP (reference IdP: `psso-wstrust idp device add --client-id psso --keys FILE`), with the clientID of the login configuration, or use the key file that was registered.',
  },
  PSSO_ERR_NONCE_RESPONSE: {
    fix: 'The nonce endpoint did not answer a usable Nonce: check nonceEndpointURL.',
  },
  PSSO_ERR_PREAUTH_RESPONSE: {
    fix: 'The user realm (preauthentication) answer is unusable: check federationUserPreauthenticationURL and federationMEXURLKeypath.',
  },
  PSSO_ERR_KEY_RESPONSE_STATUS: {
    fix: 'The key endpoint refused the key request (status, error and suberror are shown): the refresh token must be this device’s and current (run psso login again), and the IdP must support Platform SSO 2.0 key requests at keyEndpointURL.',
  },
  PSSO_ERR_KEY_RESPONSE_TYPE: jose(
    'the key response must be a JWE with typ platformsso-key-response+jwt, served as application/platformsso-key-response+jwt',
  ),
  PSSO_ERR_KEY_RESPONSE_JWE: jose(
    'the key response JWE is malformed, uses another algorithm, fails the apu/apv checks or does not decrypt (the cause names which)',
  ),
  PSSO_ERR_KEY_RESPONSE_FIELDS: jose(
    'the key response body needs certificate or key, key_context, iat and exp of the right types',
  ),
  PSSO_ERR_KEY_RESPONSE_CERTIFICATE: jose(
    'the certificate must be base64url DER of an X.509 certificate with an EC P-256 key',
  ),
  PSSO_ERR_KEY_RESPONSE_TIME: {
    fix: 'The key response iat/exp are more than 120 s away from this machine’s clock: check the clocks of the IdP and of this machine (NTP).',
  },
  PSSO_ERR_KEY_RESPONSE_KEY_MISMATCH: jose(
    'the exchanged key is not ECDH(other key, the certificate’s key): the IdP used another private key than the one of the certificate',
  ),
});

/**
 * The remediation of `code`, or `undefined` for a code the table does not know.
 *
 * @example
 * ```ts
 * remediationFor('PSSO_ERR_HTTP_TIMEOUT')?.fix;
 * ```
 */
export function remediationFor(code: string): Remediation | undefined {
  return Object.hasOwn(REMEDIATIONS, code) ? REMEDIATIONS[code as PssoErrorCode] : undefined;
}

/**
 * The README table: `| Code | What to do | AD FS |`, one row per code in table order (pipes
 * and angle brackets escaped for markdown).
 *
 * @example
 * ```ts
 * console.log(remediationTable());
 * ```
 */
export function remediationTable(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const rows = Object.entries(REMEDIATIONS).map(
    ([code, r]: [string, Remediation]) =>
      `| \`${code}\` | ${cell(r.fix)} | ${cell(r.adfs ?? '')} |`,
  );
  return ['| Code | What to do | AD FS |', '|---|---|---|', ...rows].join('\n');
}
