/**
 * The real AD FS RSA-SHA1 assertion of the interop corpus (`adfs-13-naturalcauses.rstr.xml`, the
 * one capture kept byte for byte, so its signature still verifies) and its token-signing
 * certificate, taken from its own KeyInfo and pinned by the tests on purpose.
 */
import { readInterop } from './interop.ts';

export const ADFS_RSTR = 'rstr/adfs-13-naturalcauses.rstr.xml';
export const ADFS_BASE64 = 'rstr/adfs-13-naturalcauses.assertion.base64.txt';
/** The response's own Timestamp Created (and the assertion's IssueInstant). */
export const ADFS_CREATED = new Date('2014-01-27T08:15:45.003Z');

/** The assertion's exact text. */
export function adfsAssertion(): string {
  return Buffer.from(readInterop(ADFS_BASE64).toString('ascii').trim(), 'base64').toString('utf8');
}

/** The token-signing certificate the capture carries, as PEM. */
export function adfsSigningCertPem(): string {
  const b64 = /<X509Certificate>([^<]+)<\/X509Certificate>/.exec(adfsAssertion())?.[1];
  if (b64 === undefined) throw new Error('no certificate in the AD FS capture');
  return `-----BEGIN CERTIFICATE-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
}
