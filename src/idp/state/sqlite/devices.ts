/**
 * Registered Platform SSO devices: a client id and the device's ES256 signing and P-256
 * encryption public keys, keyed by the signing key's `kid` (standard base64 of SHA-256 over the
 * X9.63 public key, as the login JWT carries it). A Platform SSO 2.0 device may instead declare an
 * HPKE suite with a P-256, P-384 or X25519 encryption key (device-encryption.ts).
 *
 * @module
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { IdpError } from '../../errors.js';
import { keyId } from '../../jose/key-id.js';
import type { IdpDatabase } from './database.js';
import {
  type DeviceEncryptionAlg,
  deviceEncryptionAlg,
  hpkePublicKey,
} from './device-encryption.js';

/** A registered device. */
export interface DeviceRecord {
  readonly clientId: string;
  readonly signingKid: string;
  readonly signingKey: KeyObject;
  readonly encryptionKid: string;
  readonly encryptionKey: KeyObject;
  /** How responses are encrypted: `ECDH-ES` (P-256 key) or the HPKE suite of the key. */
  readonly encryptionAlg: DeviceEncryptionAlg;
  readonly createdAt: string;
}

interface Row {
  signing_kid: string;
  client_id: string;
  signing_jwk: string;
  encryption_kid: string;
  encryption_jwk: string;
  encryption_alg: string;
  created_at: string;
}

/** The `kid` of a P-256 public key: standard base64 of SHA-256 over 0x04‖X‖Y. */
export const p256Kid: (key: KeyObject) => string = keyId;

/** Parses a public JWK (object or JSON text) as a P-256 public key; private members refused. */
export function p256PublicKey(jwk: unknown): KeyObject {
  const value = typeof jwk === 'string' ? (JSON.parse(jwk) as unknown) : jwk;
  if (typeof value !== 'object' || value === null) throw new TypeError('a JWK object is required');
  const o = value as Record<string, unknown>;
  if (o.d !== undefined) throw new TypeError('a public JWK is required (it has a private part)');
  if (o.kty !== 'EC' || o.crv !== 'P-256' || typeof o.x !== 'string' || typeof o.y !== 'string') {
    throw new TypeError('a P-256 EC JWK is required');
  }
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: o.x, y: o.y }, format: 'jwk' });
}

/** Device registry over the IdP database. */
export class DeviceStore {
  constructor(private readonly db: IdpDatabase) {}

  /**
   * Registers (or re-registers) a device.
   *
   * @example
   * ```ts
   * const device = devices.add('psso', signingJwk, encryptionJwk);
   * ```
   */
  add(
    clientId: string,
    signingJwk: unknown,
    encryptionJwk: unknown,
    encryptionAlg?: unknown,
  ): DeviceRecord {
    if (typeof clientId !== 'string' || clientId.trim() === '' || clientId.length > 256) {
      throw new TypeError('clientId must be a non-empty string of at most 256 characters');
    }
    const signingKey = p256PublicKey(signingJwk);
    const alg = deviceEncryptionAlg(encryptionAlg);
    const encryption =
      alg === 'ECDH-ES'
        ? { key: p256PublicKey(encryptionJwk), kid: '' }
        : hpkePublicKey(encryptionJwk, alg);
    const encryptionKey = encryption.key;
    const row: Row = {
      signing_kid: p256Kid(signingKey),
      client_id: clientId,
      signing_jwk: JSON.stringify(signingKey.export({ format: 'jwk' })),
      encryption_kid: alg === 'ECDH-ES' ? p256Kid(encryptionKey) : encryption.kid,
      encryption_jwk: JSON.stringify(encryptionKey.export({ format: 'jwk' })),
      encryption_alg: alg,
      created_at: new Date().toISOString(),
    };
    this.db.guard(() =>
      this.db
        .statement(
          `INSERT INTO devices (signing_kid, client_id, signing_jwk, encryption_kid, encryption_jwk, encryption_alg, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (signing_kid) DO UPDATE SET client_id = excluded.client_id,
             encryption_kid = excluded.encryption_kid, encryption_jwk = excluded.encryption_jwk,
             encryption_alg = excluded.encryption_alg`,
        )
        .run(
          row.signing_kid,
          row.client_id,
          row.signing_jwk,
          row.encryption_kid,
          row.encryption_jwk,
          row.encryption_alg,
          row.created_at,
        ),
    );
    return toRecord(row);
  }

  /** The device whose signing key has this `kid`. */
  get(signingKid: string): DeviceRecord | undefined {
    const row = this.db.guard(() =>
      this.db.statement('SELECT * FROM devices WHERE signing_kid = ?').get(signingKid),
    ) as Row | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  /** Every device. */
  list(): DeviceRecord[] {
    const rows = this.db.guard(() =>
      this.db.statement('SELECT * FROM devices ORDER BY created_at').all(),
    ) as Row[];
    return rows.map(toRecord);
  }

  /** Removes a device. */
  remove(signingKid: string): void {
    const { changes } = this.db.guard(() =>
      this.db.statement('DELETE FROM devices WHERE signing_kid = ?').run(signingKid),
    );
    if (changes === 0) throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'No such device');
  }
}

function toRecord(row: Row): DeviceRecord {
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
