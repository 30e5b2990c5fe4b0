/**
 * The CAs trusted to issue SmartCard certificates, in PostgreSQL (`smartcard_cas`); the checks
 * and the read cache are shared with SQLite (../smartcard-cas.ts).
 *
 * @module
 */
import { type SmartCardCaRow, SmartCardCaStoreBase } from '../smartcard-cas.js';
import type { PgDatabase } from './database.js';

/**
 * Trusted SmartCard CAs over PostgreSQL.
 *
 * @example
 * ```ts
 * await new PgSmartCardCaStore(db).add(pem);
 * ```
 */
export class PgSmartCardCaStore extends SmartCardCaStoreBase {
  constructor(
    private readonly db: PgDatabase,
    cacheMs?: number,
  ) {
    super(cacheMs);
  }

  protected async insertRow(row: SmartCardCaRow): Promise<void> {
    await this.db.query(
      `INSERT INTO smartcard_cas (fingerprint, subject, pem, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [row.fingerprint, row.subject, row.pem, row.created_at],
    );
  }

  protected async allRows(): Promise<SmartCardCaRow[]> {
    return (
      await this.db.query<SmartCardCaRow>(
        'SELECT fingerprint, subject, pem, created_at FROM smartcard_cas ORDER BY created_at, fingerprint',
      )
    ).rows;
  }

  protected async deleteRow(fingerprint: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM smartcard_cas WHERE fingerprint = $1', [
      fingerprint,
    ]);
    return rowCount > 0;
  }
}
