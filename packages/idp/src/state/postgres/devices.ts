/**
 * Registered Platform SSO devices in PostgreSQL (`devices`); the checks are shared with SQLite
 * (../devices.ts).
 *
 * @module
 */
import { DEVICE_COLUMNS, type DeviceRow, DeviceStoreBase, deviceValues } from '../devices.js';
import type { PgDatabase } from './database.js';

/**
 * Devices over PostgreSQL.
 *
 * @example
 * ```ts
 * const device = await new PgDeviceStore(db).add('psso', signingJwk, encryptionJwk);
 * ```
 */
export class PgDeviceStore extends DeviceStoreBase {
  constructor(private readonly db: PgDatabase) {
    super();
  }

  protected async upsertRow(row: DeviceRow): Promise<void> {
    await this.db.query(
      `INSERT INTO devices (${DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (signing_kid) DO UPDATE SET client_id = EXCLUDED.client_id,
         encryption_kid = EXCLUDED.encryption_kid, encryption_jwk = EXCLUDED.encryption_jwk,
         encryption_alg = EXCLUDED.encryption_alg`,
      deviceValues(row),
    );
  }

  protected async findRow(signingKid: string): Promise<DeviceRow | undefined> {
    return (
      await this.db.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM devices WHERE signing_kid = $1`,
        [signingKid],
      )
    ).rows[0];
  }

  protected async allRows(): Promise<DeviceRow[]> {
    return (
      await this.db.query<DeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY created_at, signing_kid COLLATE "C"`,
      )
    ).rows;
  }

  protected async deleteRow(signingKid: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM devices WHERE signing_kid = $1', [
      signingKid,
    ]);
    return rowCount > 0;
  }
}
