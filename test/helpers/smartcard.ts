/**
 * SmartCard test PKI, made in the test (never committed): a CA, an optional intermediate, and leaf
 * certificates with RSA or EC keys, a UPN (SAN otherName) and/or an email (SAN rfc822Name), made
 * with @peculiar/x509 over node:crypto's WebCrypto.
 */
import 'reflect-metadata';
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  type SmartCardCredential,
  smartCardCredential,
} from '../../packages/psso-wstrust/src/psso/keys/smartcard.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const EC384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
const rsa = (bits: number) =>
  ({
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: bits,
  }) as const;

/** The leaf key kinds. */
export type LeafKind = 'rsa2048' | 'p256' | 'p384' | 'rsa1024';
const ALGS = { rsa2048: rsa(2048), rsa1024: rsa(1024), p256: EC256, p384: EC384 } as const;

/** A CA able to issue certificates. */
export interface TestCa {
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly pem: string;
}

const serial = () =>
  randomBytes(8)
    .toString('hex')
    .replace(/^[89a-f]/, '1');
const DAY = 86_400_000;

/** A CA (self-signed, or issued by `issuer` for an intermediate). */
export async function makeCa(
  name: string,
  o: { issuer?: TestCa; notAfter?: Date; now?: number } = {},
): Promise<TestCa> {
  const now = o.now ?? Date.now();
  const keys = (await webcrypto.subtle.generateKey(EC256, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const extensions = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
  const common = {
    serialNumber: serial(),
    notBefore: new Date(now - DAY),
    notAfter: o.notAfter ?? new Date(now + 365 * DAY),
    signingAlgorithm: EC256,
    extensions,
  };
  const cert =
    o.issuer === undefined
      ? await x509.X509CertificateGenerator.createSelfSigned({ ...common, name, keys })
      : await x509.X509CertificateGenerator.create({
          ...common,
          subject: name,
          issuer: o.issuer.cert.subject,
          publicKey: keys.publicKey,
          signingKey: o.issuer.keys.privateKey,
        });
  return { cert, keys, pem: cert.toString('pem') };
}

/** Options of {@link makeCard}. */
export interface CardOptions {
  readonly kind?: LeafKind;
  readonly upn?: string | undefined;
  readonly email?: string | undefined;
  /** Intermediates sent after the leaf (the last one issued by the CA). */
  readonly chain?: readonly TestCa[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** The keyUsage extension: default digitalSignature; `null` leaves it out. */
  readonly keyUsage?: number | null;
  /** Self-signed leaf (no CA). */
  readonly selfSigned?: boolean;
}

/** A SmartCard: a leaf certificate issued by `ca` (or the last of `chain`), and its key. */
export async function makeCard(
  ca: TestCa | undefined,
  o: CardOptions = {},
): Promise<{ credential: SmartCardCredential; leafPem: string; keyPem: string; chainPem: string }> {
  const now = Date.now();
  const alg = ALGS[o.kind ?? 'p256'];
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names: x509.JsonGeneralName[] = [];
  if (o.upn !== undefined) names.push({ type: 'upn', value: o.upn });
  if (o.email !== undefined) names.push({ type: 'email', value: o.email });
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (o.keyUsage !== null)
    extensions.push(
      new x509.KeyUsagesExtension(o.keyUsage ?? x509.KeyUsageFlags.digitalSignature, true),
    );
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const issuer = o.chain?.[0] ?? ca;
  const common = {
    serialNumber: serial(),
    notBefore: o.notBefore ?? new Date(now - DAY),
    notAfter: o.notAfter ?? new Date(now + 30 * DAY),
    extensions,
  };
  const subject = `CN=${o.upn ?? o.email ?? 'card'}`;
  const leaf =
    o.selfSigned === true || issuer === undefined
      ? await x509.X509CertificateGenerator.createSelfSigned({
          ...common,
          name: subject,
          keys,
          signingAlgorithm: alg,
        })
      : await x509.X509CertificateGenerator.create({
          ...common,
          subject,
          issuer: issuer.cert.subject,
          publicKey: keys.publicKey,
          signingKey: issuer.keys.privateKey,
          signingAlgorithm: EC256,
        });
  const privateKey = KeyObject.from(keys.privateKey);
  const keyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const chainPem = [leaf.toString('pem'), ...(o.chain ?? []).map((c) => c.pem)].join('\n');
  // smartCardCredential refuses RSA-1024: an attack fixture builds that one by hand.
  const credential =
    o.kind === 'rsa1024'
      ? {
          privateKey,
          certificates: [leaf, ...(o.chain ?? []).map((c) => c.cert)].map((c) =>
            Buffer.from(c.rawData).toString('base64'),
          ),
          alg: 'RS256' as const,
        }
      : smartCardCredential(keyPem, chainPem);
  return { credential, leafPem: leaf.toString('pem'), keyPem, chainPem };
}
