/**
 * The assertion rules an engineer needs beyond macOS (which leaves the assertion to the token
 * endpoint): the signature against the federation's token-signing certificate, that certificate's
 * expiry and algorithm, the audience against the URN, and the claims Microsoft Entra ID needs.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { NS_DSIG, NS_SAML1 } from '../../protocol/namespaces.js';
import { verifyAssertionSignature } from '../../saml/verify.js';
import type { XmlElement } from '../../xml/dom.js';
import { parseXml } from '../../xml/parse.js';
import { attribute, childElements, descendants, path, textOf } from '../../xml/query.js';
import type { RuleResult } from '../report.js';
import { describe, result, rule, skipped } from './rule.js';

const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const DAY_MS = 86_400_000;

export const SIGNATURE = rule(
  'saml.signature',
  'saml',
  'Assertion signature verifies',
  '',
  'an XML signature that verifies against the token-signing certificate (--signing-cert)',
  {
    adfs: 'Compare the primary token-signing certificate (Get-AdfsCertificate -CertificateType Token-Signing) with the one Entra holds (Get-MgDomainFederationConfiguration: signingCertificate); a mismatch gives AADSTS50008. Something between AD FS and the Mac may be altering the token.',
    generic:
      'Sign every assertion (enveloped, exclusive C14N, RSA-SHA256) with the certificate the relying party trusts; never alter it after signing.',
  },
);

export const SIGNING_CERT = rule(
  'saml.signing-certificate',
  'saml',
  'Token-signing certificate and algorithm',
  '',
  `a certificate valid for 30 days or more, signature algorithm ${RSA_SHA256}`,
  {
    adfs: "Set-AdfsRelyingPartyTrust -TargetName 'Microsoft Office 365 Identity Platform' -SignatureAlgorithm http://www.w3.org/2001/04/xmldsig-more#rsa-sha256; renew the token-signing certificate with Update-AdfsCertificate -CertificateType Token-Signing, then update every federated domain in Entra (Update-MgDomainFederationConfiguration).",
    generic: 'Sign with RSA-SHA256 and roll the token-signing certificate over before it expires.',
  },
);

export const AUDIENCE = rule(
  'saml.audience',
  'saml',
  'Audience is the URN',
  '',
  'an AudienceRestriction naming the federationRequestURN',
  {
    adfs: 'The relying party trust identifier must be the URN: Get-AdfsRelyingPartyTrust -Identifier urn:federation:MicrosoftOnline.',
    generic: 'Put the AppliesTo (federationRequestURN) in the assertion’s audience restriction.',
  },
);

export const ENTRA_CLAIMS = rule(
  'saml.entra-claims',
  'saml',
  'UPN and ImmutableID claims for Microsoft Entra ID',
  '',
  'attributes UPN (http://schemas.xmlsoap.org/claims) and ImmutableID (http://schemas.microsoft.com/LiveID/Federation/2008/05)',
  {
    adfs: 'Restore the Entra Connect claim rules on the Microsoft Office 365 Identity Platform trust ("Issue UPN", "Issue msdsconsistencyguid as Immutable ID", "Issue objectGuidRule"), e.g. from %ProgramData%\\AADConnect\\ADFS backups or with Entra Connect "Reset trust". A missing ImmutableID gives AADSTS51004.',
    generic:
      'Emit the user’s Entra UPN and ImmutableID (sourceAnchor) as attributes of the assertion.',
  },
);

/**
 * Judges the assertion (when one was obtained).
 *
 * @example
 * ```ts
 * judgeSaml(facts.assertion, { urn, signingCertificates: [pem], evidence: [2], now: new Date() });
 * ```
 */
export function judgeSaml(
  assertion: string | undefined,
  o: {
    urn: string;
    signingCertificates: readonly string[];
    evidence: readonly number[];
    now: Date;
  },
): RuleResult[] {
  const all = [SIGNATURE, SIGNING_CERT, AUDIENCE, ENTRA_CLAIMS];
  const e = o.evidence;
  if (assertion === undefined) return all.map((d) => skipped(d, 'no assertion was obtained', e));
  let root: XmlElement;
  try {
    root = parseXml(assertion).root;
  } catch (error) {
    return all.map((d) => skipped(d, `the assertion cannot be parsed: ${describe(error)}`, e));
  }
  const out: RuleResult[] = [];
  const signature = childElements(root, NS_DSIG, 'Signature')[0];
  // saml.signature
  if (signature === undefined) {
    out.push(
      result(SIGNATURE, {
        status: 'fail',
        got: 'the assertion is unsigned (no ds:Signature)',
        evidence: e,
      }),
    );
  } else if (o.signingCertificates.length === 0) {
    out.push(
      skipped(
        SIGNATURE,
        'no --signing-cert was given: the signature is present but not verified',
        e,
      ),
    );
  } else {
    try {
      verifyAssertionSignature(assertion, o.signingCertificates, { dangerouslyAllowSha1: true });
      out.push(
        result(SIGNATURE, {
          status: 'pass',
          got: 'verified against the given certificate',
          evidence: e,
        }),
      );
    } catch (error) {
      out.push(result(SIGNATURE, { status: 'fail', got: describe(error), evidence: e }));
    }
  }
  // saml.signing-certificate
  if (signature === undefined) {
    out.push(skipped(SIGNING_CERT, 'the assertion is unsigned', e));
  } else {
    out.push(judgeSigningCert(signature, o.now, e));
  }
  // saml.audience
  const audiences = descendants(root, root.ns, 'Audience').map((a) => textOf(a).trim());
  out.push(
    result(AUDIENCE, {
      status: audiences.includes(o.urn) ? 'pass' : 'fail',
      expected: o.urn,
      got: audiences.length === 0 ? 'no Audience' : audiences.join(', '),
      evidence: e,
    }),
  );
  // saml.entra-claims
  const names = descendants(root, root.ns, 'Attribute').map((a) =>
    root.ns === NS_SAML1
      ? (attribute(a, '', 'AttributeName') ?? '')
      : (attribute(a, '', 'Name') ?? '').replace(/^.*\//, ''),
  );
  const missing = ['UPN', 'ImmutableID'].filter((n) => !names.includes(n));
  out.push(
    result(ENTRA_CLAIMS, {
      status: missing.length === 0 ? 'pass' : 'warn',
      got:
        missing.length === 0
          ? 'UPN and ImmutableID present'
          : `missing: ${missing.join(', ')} (attributes: ${names.join(', ') || 'none'})`,
      evidence: e,
    }),
  );
  return out;
}

function judgeSigningCert(signature: XmlElement, now: Date, e: readonly number[]): RuleResult {
  const method = path(signature, [NS_DSIG, 'SignedInfo'], [NS_DSIG, 'SignatureMethod']);
  const algorithm = method === undefined ? undefined : attribute(method, '', 'Algorithm');
  const certEl = descendants(signature, NS_DSIG, 'X509Certificate')[0];
  let cert: X509Certificate | undefined;
  try {
    cert =
      certEl === undefined
        ? undefined
        : new X509Certificate(Buffer.from(textOf(certEl).replace(/\s+/g, ''), 'base64'));
  } catch {
    cert = undefined;
  }
  const parts = [`algorithm ${algorithm ?? '(none)'}`];
  let status: 'pass' | 'warn' | 'fail' = 'pass';
  if (algorithm === RSA_SHA1) status = 'warn';
  else if (algorithm !== RSA_SHA256 && !/rsa-sha(384|512)$/.test(algorithm ?? '')) status = 'warn';
  if (cert === undefined) {
    parts.push('no X509Certificate in KeyInfo (expiry unknown)');
  } else {
    const validTo = new Date(cert.validTo);
    const left = validTo.getTime() - now.getTime();
    parts.push(
      `certificate ${cert.subject.replace(/\n/g, ', ')}, expires ${validTo.toISOString()}`,
    );
    if (left < 0) status = 'fail';
    else if (left < 30 * DAY_MS && status === 'pass') status = 'warn';
    if (left < 30 * DAY_MS)
      parts.push(left < 0 ? 'EXPIRED' : `${Math.floor(left / DAY_MS)} days left`);
  }
  return result(SIGNING_CERT, { status, got: parts.join('; '), evidence: e });
}
