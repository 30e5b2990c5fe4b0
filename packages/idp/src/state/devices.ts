/**
 * Registered Platform SSO devices, whatever the backend: a client id and the device's ES256
 * signing and P-256 encryption public keys, keyed by the signing key's `kid` (standard base64 of
 * SHA-256 over the X9.63 public key, as the login JWT carries it). A Platform SSO 2.0 device may
 * instead declare an HPKE suite with a P-256, P-384 or X25519 encryption key (device-encryption.ts).
 * The checks live here; a backend supplies four row operations.
 *
 * @module
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { IdpError } from 'psso-wstrust';
import { keyId } from 'psso-wstrust/jose';
import {
  deviceEncryptionAlg,
  hpkePublicKey,
  invalidRegistration,
  jwkObject,
} from './device-encryption.js';
import type { DeviceRecord } from './records.js';
import type { DeviceStore } from './types.js';

/** A device as a backend stores it. */
export interface DeviceRow {
  readonly signing_kid: string;
  readonly client_id: string;
  readonly signing_jwk: string;
  readonly encryption_kid: string;
  readonly encryption_jwk: string;
  readonly encryption_alg: string;
  readonly created_at: string;
}

/** The columns of a device row, in the order {@link deviceValues} gives them. */
export const DEVICE_COLUMNS =
  'signing_kid, client_id, signing_jwk, encryption_kid, encryption_jwk, encryption_alg, created_at';

/** The `kid` of a P-256 public key: standard base64 of SHA-256 over 0x04‖X‖Y. */
export const p256Kid: (key: KeyObject) => string = keyId;

/**
 * Parses a public JWK (object or JSON text) as a P-256 public key; private members refused.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_REGISTRATION_INVALID` for anything else (a point off the
 *   curve included).
 * @example
 * ```ts
 * const key = p256PublicKey({ kty: 'EC', crv: 'P-256', x, y });
 * ```
 */
export function p256PublicKey(jwk: unknown): KeyObject {
  const o = jwkObject(jwk);
  if (o.kty !== 'EC' || o.crv !== 'P-256' || typeof o.x !== 'string' || typeof o.y !== 'string') {
    throw invalidRegistration('a P-256 EC JWK is required');
  }
  try {
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: o.x, y: o.y }, format: 'jwk' });
  } catch {
    throw invalidRegistration('the JWK is not a valid P-256 public key');
  }
}

/**
 * The values of a row, in {@link DEVICE_COLUMNS} order (for an INSERT).
 *
 * @example
 * ```ts
 * statement.run(...deviceValues(row));
 * ```
 */
export function deviceValues(row: DeviceRow): string[] {
  return [
    row.signing_kid,
    row.client_id,
    row.signing_jwk,
    row.encryption_kid,
    row.encryption_jwk,
    row.encryption_alg,
    row.created_at,
  ];
}

/**
 * A {@link DeviceStore} over four row operations of a backend.
 *
 * @example
 * ```ts
 * const device = await devices.add('psso', signingJwk, encryptionJwk);
 * ```
 */
export abstract class DeviceStoreBase implements DeviceStore {
  /** Inserts the row, or updates client id and encryption key of the same signing key. */
  protected abstract upsertRow(row: DeviceRow): Promise<void>;
  protected abstract findRow(signingKid: string): Promise<DeviceRow | undefined>;
  /** Every row, oldest first. */
  protected abstract allRows(): Promise<DeviceRow[]>;
  /** `false` when there was no such row. */
  protected abstract deleteRow(signingKid: string): Promise<boolean>;

  async add(
    clientId: string,
    signingJwk: unknown,
    encryptionJwk: unknown,
    encryptionAlg?: unknown,
  ): Promise<DeviceRecord> {
    if (typeof clientId !== 'string' || clientId.trim() === '' || clientId.length > 256) {
      throw invalidRegistration('clientId must be a non-empty string of at most 256 characters');
    }
    const signingKey = p256PublicKey(signingJwk);
    const alg = deviceEncryptionAlg(encryptionAlg);
    const encryption =
      alg === 'ECDH-ES'
        ? { key: p256PublicKey(encryptionJwk), kid: '' }
        : hpkePublicKey(encryptionJwk, alg);
    const row: DeviceRow = {
      signing_kid: p256Kid(signingKey),
      client_id: clientId,
      signing_jwk: JSON.stringify(signingKey.export({ format: 'jwk' })),
      encryption_kid: alg === 'ECDH-ES' ? p256Kid(encryption.key) : encryption.kid,
      encryption_jwk: JSON.stringify(encryption.key.export({ format: 'jwk' })),
      encryption_alg: alg,
      created_at: new Date().toISOString(),
    };
    await this.upsertRow(row);
    return deviceRecord(row);
  }

  async get(signingKid: string): Promise<DeviceRecord | undefined> {
    if (typeof signingKid !== 'string') return undefined;
    const row = await this.findRow(signingKid);
    return row === undefined ? undefined : deviceRecord(row);
  }

  async list(): Promise<DeviceRecord[]> {
    return (await this.allRows()).map(deviceRecord);
  }

  async remove(signingKid: string): Promise<void> {
    if (!(await this.deleteRow(signingKid)))
      throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'No such device');
  }
}

function deviceRecord(row: DeviceRow): DeviceRecord {
  const alg = deviceEncryptionAlg(row.encryption_alg);
  return {
    clientId: row.client_id,
    signingKid: row.signing_kid,
    signingKey: p256PublicKey(row.signing_jwk),
    encryptionKid: row.encryption_kid,
    encryptionKey:
      alg === 'ECDH-ES'
        ? p256PublicKey(row.encryption_jwk)
        : hpkePublicKey(row.encryption_jwk, alg).key,
    encryptionAlg: alg,
    createdAt: row.created_at,
  };
}
