/**
 * The demo's SmartCard: a throwaway CA (P-256) and a card (P-256 key, certificate with the user's
 * UPN in the SAN otherName) it issued, for the SmartCard login (docs/PLATFORM-SSO.md §3.9). Made in
 * memory at every run; nothing is written.
 *
 * @module
 */
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { type SmartCardCredential, smartCardCredential } from 'psso-wstrust/psso';

const EC256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const serial = () =>
  randomBytes(8)
    .toString('hex')
    .replace(/^[89a-f]/, '1');

/**
 * A CA (its PEM, to trust at the IdP) and a card for `upn` it issued.
 *
 * @example
 * ```ts
 * const { caPem, card } = await demoSmartCard('bob@managed.example');
 * await state.smartCardCas.add(caPem);
 * ```
 */
export async function demoSmartCard(
  upn: string,
): Promise<{ caPem: string; card: SmartCardCredential }> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const now = Date.now();
  const gen = async () =>
    (await webcrypto.subtle.generateKey(EC256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caKeys = await gen();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=psso-wstrust demo SmartCard CA',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    signingAlgorithm: EC256,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  const cardKeys = await gen();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${upn}`,
    issuer: ca.subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    publicKey: cardKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: EC256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'upn', value: upn }]),
    ],
  });
  const keyPem = KeyObject.from(cardKeys.privateKey).export({
    format: 'pem',
    type: 'pkcs8',
  }) as string;
  return { caPem: ca.toString('pem'), card: smartCardCredential(keyPem, leaf.toString('pem')) };
}
