/**
 * Login responses shaped as working IdPs send them, which our own encrypter (jose) would not
 * produce: any GCM IV length (authentik's 96 BYTES), extra `epk` members (Keycloak's `use`, `kid`,
 * `iat`). The CEK comes from the Concat KDF pinned by Apple's known-answer vectors
 * (test/jose/login-response-tolerance.test.ts), the cipher from node:crypto.
 */
import {
  createCipheriv,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { concatKdfA256Gcm } from '../../packages/psso-wstrust/src/jose/ecdh-es-gcm.ts';
import { responseApu } from '../../packages/psso-wstrust/src/jose/party-info.ts';

/** Options of {@link oddLoginResponse}. */
export interface OddJweOptions {
  readonly deviceEncryptionPublicKey: KeyObject;
  /** The request's apv (base64url). */
  readonly apv: string;
  /** IV length in bytes; default 96 (authentik's `token_bytes(96)`). */
  readonly ivBytes?: number;
  /** Members added to the header `epk`. */
  readonly epkExtras?: Readonly<Record<string, unknown>>;
  /** Echo the apv in the header; default true. */
  readonly headerApv?: boolean;
}

/** A compact ECDH-ES + A256GCM JWE of `body` with the oddities asked for. */
export function oddLoginResponse(body: unknown, o: OddJweOptions): string {
  const eph = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = eph.publicKey.export({ format: 'jwk' });
  const apu = responseApu(eph.privateKey);
  const header = {
    alg: 'ECDH-ES',
    enc: 'A256GCM',
    typ: 'platformsso-login-response+jwt',
    epk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ...o.epkExtras },
    apu: apu.base64url,
    ...(o.headerApv === false ? {} : { apv: o.apv }),
  };
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString('base64url');
  const z = diffieHellman({ privateKey: eph.privateKey, publicKey: o.deviceEncryptionPublicKey });
  const cek = concatKdfA256Gcm(z, apu.bytes, Buffer.from(o.apv, 'base64url'));
  const iv = randomBytes(o.ivBytes ?? 96);
  const cipher = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(protectedB64, 'ascii'));
  const plaintext = body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [
    protectedB64,
    '',
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}
