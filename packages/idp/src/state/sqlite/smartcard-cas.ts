/**
 * The CAs trusted to issue SmartCard certificates, in the IdP's SQLite database (`smartcard_cas`).
 *
 * @module
 */
import { type SmartCardCaRow, SmartCardCaStoreBase } from '../smartcard-cas.js';
import type { IdpDatabase } from './database.js';

/**
 * A {@link SmartCardCaStore} over the IdP database.
 *
 * @example
 * ```ts
 * const cas = new SqliteSmartCardCaStore(IdpDatabase.open(dataDir));
 * await cas.add(pem);
 * ```
 */
export class SqliteSmartCardCaStore extends SmartCardCaStoreBase {
  constructor(
    private readonly db: IdpDatabase,
    cacheMs?: number,
  ) {
    super(cacheMs);
  }

  protected async insertRow(row: SmartCardCaRow): Promise<void> {
    this.db.guard(() =>
      this.db
        .statement(
          'INSERT OR IGNORE INTO smartcard_cas (fingerprint, subject, pem, created_at) VALUES (?, ?, ?, ?)',
        )
        .run(row.fingerprint, row.subject, row.pem, row.created_at),
    );
  }

  protected async allRows(): Promise<SmartCardCaRow[]> {
    return this.db.guard(
      () =>
        this.db
          .statement(
            'SELECT fingerprint, subject, pem, created_at FROM smartcard_cas ORDER BY created_at',
          )
          .all() as SmartCardCaRow[],
    );
  }

  protected async deleteRow(fingerprint: string): Promise<boolean> {
    return this.db.guard(
      () =>
        this.db.statement('DELETE FROM smartcard_cas WHERE fingerprint = ?').run(fingerprint)
          .changes > 0,
    );
  }
}
