/**
 * The user unlock key of a Platform SSO 2.0 key request (docs/PLATFORM-SSO.md §3.11): a fresh EC P-256
 * key pair and an X.509 certificate for it, `CN` = the user, keyUsage digitalSignature +
 * keyAgreement, valid one year.
 *
 * The certificate is **self-signed** by the key it certifies (as authentik, twocanoes and Keycloak
 * do; Fleet uses its own CA). macOS checks only the key's type and size, not a chain, and the
 * IdP's local CA (src/idp/pki.ts) is a TLS CA name-constrained to the IdP's host names: it must
 * not sign user certificates. Built with @peculiar/x509 over WebCrypto, loaded only when needed.
 *
 * @module
 */
import { createPrivateKey, type KeyObject, randomBytes, webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const crypto = webcrypto as unknown as Crypto;
const DAY_MS = 24 * 3600_000;

/** An issued unlock key. */
export interface UnlockKey {
  readonly privateKey: KeyObject;
  /** The certificate, DER. */
  readonly certificateDer: Buffer;
}

async function x509lib(): Promise<typeof X509> {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

/**
 * Generates a P-256 key pair and its self-signed certificate for `username`.
 *
 * @example
 * ```ts
 * const { privateKey, certificateDer } = await issueUnlockKey('alice@example.com', new Date());
 * ```
 */
export async function issueUnlockKey(username: string, now: Date): Promise<UnlockKey> {
  const x509 = await x509lib();
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: [{ CN: [username] }],
      notBefore: new Date(now.getTime() - 5 * 60_000),
      notAfter: new Date(now.getTime() + 365 * DAY_MS),
      signingAlgorithm: EC,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
          true,
        ),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    certificateDer: Buffer.from(cert.rawData),
  };
}
