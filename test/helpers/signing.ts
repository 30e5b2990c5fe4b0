/**
 * Token-signing material for tests: an RSA-2048 key pair and a self-signed certificate, made with
 * @peculiar/x509 over node:crypto's WebCrypto.
 */
import 'reflect-metadata';
import { KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** What `issueAssertion` needs, plus the certificate in PEM for verifiers. */
export interface TestSigningMaterial {
  readonly privateKey: KeyObject;
  readonly certificateDer: Uint8Array;
  readonly certificatePem: string;
}

const alg = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

let cached: Promise<TestSigningMaterial> | undefined;

/** One token-signing key and certificate per test process (RSA generation takes ~100 ms). */
export function testSigningMaterial(): Promise<TestSigningMaterial> {
  cached ??= makeSigningMaterial('CN=psso-wstrust test token signing');
  return cached;
}

/** A fresh key and self-signed certificate (for example an attacker's), never cached. */
export async function makeSigningMaterial(name: string): Promise<TestSigningMaterial> {
  const now = Date.now();
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  return {
    privateKey: KeyObject.from(keys.privateKey),
    certificateDer: new Uint8Array(certificate.rawData),
    certificatePem: certificate.toString('pem'),
  };
}
