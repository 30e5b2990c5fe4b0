/**
 * Registered Platform SSO devices in the IdP's SQLite database (`devices`).
 *
 * @module
 */
import { DEVICE_COLUMNS, type DeviceRow, DeviceStoreBase, deviceValues } from '../devices.js';
import type { IdpDatabase } from './database.js';

/**
 * A {@link DeviceStore} over the IdP database.
 *
 * @example
 * ```ts
 * const devices = new SqliteDeviceStore(IdpDatabase.open(dataDir));
 * const device = await devices.add('psso', signingJwk, encryptionJwk);
 * ```
 */
export class SqliteDeviceStore extends DeviceStoreBase {
  constructor(private readonly db: IdpDatabase) {
    super();
  }

  protected async upsertRow(row: DeviceRow): Promise<void> {
    this.db.guard(() =>
      this.db
        .statement(
          `INSERT INTO devices (${DEVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (signing_kid) DO UPDATE SET client_id = excluded.client_id,
             encryption_kid = excluded.encryption_kid, encryption_jwk = excluded.encryption_jwk,
             encryption_alg = excluded.encryption_alg`,
        )
        .run(...deviceValues(row)),
    );
  }

  protected async findRow(signingKid: string): Promise<DeviceRow | undefined> {
    return this.db.guard(
      () =>
        this.db
          .statement(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE signing_kid = ?`)
          .get(signingKid) as DeviceRow | undefined,
    );
  }

  protected async allRows(): Promise<DeviceRow[]> {
    return this.db.guard(
      () =>
        this.db
          .statement(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY created_at`)
          .all() as DeviceRow[],
    );
  }

  protected async deleteRow(signingKid: string): Promise<boolean> {
    return this.db.guard(
      () =>
        this.db.statement('DELETE FROM devices WHERE signing_kid = ?').run(signingKid).changes > 0,
    );
  }
}
