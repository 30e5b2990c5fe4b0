/**
 * The RST/RSTR rule definitions: id, the macOS behaviour, what is expected, the fix.
 *
 * @module
 */
import type { Remediation } from '../report.js';
import { rule } from './rule.js';

const W32TM =
  'On every AD FS node: w32tm /query /status, then w32tm /resync; domain members follow the domain hierarchy (w32tm /config /syncfromflags:domhier /update, restart w32time); fix the forest-root PDC emulator’s NTP peers. Check the Mac’s clock too.';
const NOT_FROM_ADFS =
  'The reply probably did not come from AD FS: a load balancer, WAF or proxy answered, or a cached body. Send the same request directly to AD FS on the inside and compare.';

export const TRANSPORT = rule(
  'rst.transport',
  'rst',
  'RequestSecurityToken answered',
  'macOS POSTs the RST (SOAP 1.2, no redirect, 30 s) to the 1.3 endpoint, tries 2005 after a transport failure, and accepts only HTTP 200 or 500.',
  'HTTP 200 (or 500 with a SOAP fault) from the chosen endpoint',
  {
    adfs: 'Check the usernamemixed endpoint is enabled and proxied (Get-AdfsEndpoint -AddressPath /adfs/services/trust/13/usernamemixed), the WAP is healthy, and nothing between the Mac and AD FS rewrites the status.',
    generic: 'Make the WS-Trust endpoint answer HTTP 200 (a token) or 500 (a SOAP fault) directly.',
  },
);

export const SOAP12 = rule(
  'rstr.soap12',
  'rstr',
  'Response is a SOAP 1.2 envelope',
  'macOS parses the response as XML and requires a SOAP 1.2 Envelope with an optional Header and one Body.',
  'a SOAP 1.2 envelope (http://www.w3.org/2003/05/soap-envelope)',
  {
    adfs: `AD FS answers in SOAP 1.2; ${NOT_FROM_ADFS}`,
    generic:
      'Answer the RST with a complete SOAP 1.2 envelope (application/soap+xml), not SOAP 1.1 and not a truncated body.',
  },
);

export const RELATES_TO = rule(
  'rstr.relates-to',
  'rstr',
  'wsa:RelatesTo equals the request MessageID',
  'macOS requires exactly one wsa:RelatesTo equal to the MessageID it sent, and checks it before it reads a fault.',
  'the request’s MessageID',
  {
    adfs: `AD FS copies the MessageID into RelatesTo. ${NOT_FROM_ADFS}`,
    generic:
      'Copy the request’s wsa:MessageID into one wsa:RelatesTo header of every reply, faults included.',
  },
);

export const FAULT = rule(
  'rstr.fault',
  'rstr',
  'No SOAP fault',
  'macOS turns a SOAP fault into a failed login; a FailedAuthentication subcode asks the user for the password again.',
  'a token, not a SOAP fault',
  {
    adfs: 'Read the AD FS/Admin event log (event 111) at the same time. MSIS7007: the AppliesTo matches no relying party (Get-AdfsRelyingPartyTrust -Identifier urn:federation:MicrosoftOnline; fix federationRequestURN or the RP identifier). MSIS7068: an issuance-authorization or access-control policy refused the user.',
    generic:
      'Read the STS log for the fault; check the AppliesTo (federationRequestURN) names a relying party the STS knows.',
  },
);

/** The fix for a FailedAuthentication fault. */
export const FAILED_AUTH_FIX: Remediation = {
  adfs: 'The credentials were refused: check the user’s password and UPN, AD lockout and extranet smart lockout (Get-AdfsAccountActivity user@domain; Reset-AdfsAccountLockout user@domain -Location Unknown).',
  generic:
    'The STS refused the user name or password: check them, and whether the account is locked out.',
};

export const TS_PRESENT = rule(
  'rstr.timestamp-present',
  'rstr',
  'Security header has a Timestamp with Created',
  'macOS requires wsse:Security/wsu:Timestamp/wsu:Created in the response header.',
  'wsse:Security/wsu:Timestamp with a wsu:Created',
  {
    adfs: `AD FS always stamps its replies. ${NOT_FROM_ADFS}`,
    generic:
      'Add a wsu:Timestamp with Created (and Expires) to the wsse:Security header of the response.',
  },
);

export const TS_CREATED = rule(
  'rstr.timestamp-created',
  'rstr',
  'Timestamp Created not in the future',
  'macOS refuses a Timestamp Created more than 120 s ahead of the Mac’s clock.',
  'Created no more than 120 s ahead',
  {
    adfs: `The AD FS clock is ahead of the Mac (or the Mac is behind). ${W32TM}`,
    generic: 'Synchronise the STS clock with NTP, and the Mac’s clock.',
  },
);

export const TS_EXPIRES = rule(
  'rstr.timestamp-expires',
  'rstr',
  'Timestamp not expired',
  'macOS refuses a Timestamp whose Expires is more than 120 s in the past.',
  'Expires no more than 120 s in the past',
  {
    adfs: `The AD FS clock is behind the Mac (AD FS stamps a 5-minute window). ${W32TM}`,
    generic: 'Synchronise the STS clock with NTP, and the Mac’s clock.',
  },
);

export const LIFETIME = rule(
  'rstr.lifetime',
  'rstr',
  'RSTR Lifetime is current',
  '',
  'a Lifetime window containing now (within 120 s), when present',
  {
    adfs: 'Set-AdfsRelyingPartyTrust -TargetIdentifier urn:federation:MicrosoftOnline -TokenLifetime <minutes> (0 = 60 min default); -NotBeforeSkew <minutes> moves the start earlier. Check the clocks as well.',
    generic: 'Issue tokens whose Lifetime includes the current time; check the STS clock.',
  },
);

export const SHAPE = rule(
  'rstr.shape',
  'rstr',
  'RSTR shape of the version',
  'macOS reads the assertion from Body/RequestSecurityTokenResponseCollection/RequestSecurityTokenResponse (1.3) or Body/RequestSecurityTokenResponse (2005).',
  'the version’s RSTR (1.3: inside a RequestSecurityTokenResponseCollection)',
  {
    adfs: 'AD FS sends the 1.3 collection; another answer did not come from AD FS.',
    generic:
      'Wrap the WS-Trust 1.3 RSTR in a RequestSecurityTokenResponseCollection; answer 2005 with a bare RSTR.',
  },
);

export const TOKEN_COUNT = rule(
  'rstr.token-count',
  'rstr',
  'Exactly one SAML assertion',
  'macOS takes the SAML assertion from RequestedSecurityToken and fails with "missing assertion" otherwise.',
  'one RequestedSecurityToken holding one saml:Assertion or saml2:Assertion',
  {
    adfs: 'No assertion usually means the token is encrypted for the RP: Get-AdfsRelyingPartyTrust -Identifier urn:federation:MicrosoftOnline | fl EncryptClaims,EncryptionCertificate; Set-AdfsRelyingPartyTrust -TargetIdentifier urn:federation:MicrosoftOnline -EncryptClaims $false.',
    generic: 'Return exactly one unencrypted SAML 1.1 or 2.0 assertion in RequestedSecurityToken.',
  },
);

export const TOKEN_TYPE = rule(
  'rstr.token-type',
  'rstr',
  'TokenType is a SAML token type',
  'macOS maps the TokenType to the grant type (SAML 1.1 → saml1_1-bearer, SAML 2.0 → saml2-bearer; anything else is sent as saml2-bearer).',
  'one of the four SAML 1.1 / 2.0 TokenType URIs',
  {
    adfs: 'AD FS issues SAML 1.1 (urn:oasis:names:tc:SAML:1.0:assertion); nothing to change on AD FS.',
    generic: 'Send a SAML 1.1 or 2.0 TokenType URI in the RSTR.',
  },
);

export const TOKEN_TYPE_MATCHES = rule(
  'rstr.token-type-matches',
  'rstr',
  'TokenType agrees with the assertion',
  'macOS sends the assertion with the grant type the TokenType names; a mismatch makes the token endpoint refuse it.',
  'the TokenType’s SAML version equals the assertion’s',
  {
    adfs: 'AD FS sends matching values; another answer did not come from AD FS.',
    generic: 'Make the TokenType name the version of the assertion actually returned.',
  },
);
