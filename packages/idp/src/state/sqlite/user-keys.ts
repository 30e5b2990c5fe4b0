/**
 * Users' Secure Enclave keys in the IdP's SQLite database (`user_keys`, removed with their user
 * through a foreign key).
 *
 * @module
 */
import { type UserKeyRow, UserKeyStoreBase } from '../user-keys.js';
import type { IdpDatabase } from './database.js';

const COLUMNS = 'kid, upn, jwk, created_at';

/**
 * A {@link UserKeyStore} over the IdP database.
 *
 * @example
 * ```ts
 * const userKeys = new SqliteUserKeyStore(IdpDatabase.open(dataDir));
 * await userKeys.add('alice@example.com', jwk);
 * ```
 */
export class SqliteUserKeyStore extends UserKeyStoreBase {
  constructor(private readonly db: IdpDatabase) {
    super();
  }

  protected async insertRow(
    userKey: string,
    row: Omit<UserKeyRow, 'upn'>,
  ): Promise<UserKeyRow | 'no-user'> {
    return this.db.guard(() =>
      this.db.transaction(() => {
        const user = this.db.statement('SELECT upn FROM users WHERE upn_key = ?').get(userKey) as
          | { upn: string }
          | undefined;
        if (user === undefined) return 'no-user';
        const existing = this.#row(row.kid);
        if (existing !== undefined) return existing;
        this.db
          .statement(
            'INSERT INTO user_keys (kid, upn, user_key, jwk, created_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(row.kid, user.upn, userKey, row.jwk, row.created_at);
        return { ...row, upn: user.upn };
      }),
    );
  }

  protected async findRow(kid: string): Promise<UserKeyRow | undefined> {
    return this.db.guard(() => this.#row(kid));
  }

  protected async allRows(userKey?: string): Promise<UserKeyRow[]> {
    return this.db.guard(
      () =>
        (userKey === undefined
          ? this.db
              .statement(`SELECT ${COLUMNS} FROM user_keys ORDER BY user_key, created_at`)
              .all()
          : this.db
              .statement(`SELECT ${COLUMNS} FROM user_keys WHERE user_key = ? ORDER BY created_at`)
              .all(userKey)) as UserKeyRow[],
    );
  }

  protected async deleteRow(kid: string): Promise<boolean> {
    return this.db.guard(
      () => this.db.statement('DELETE FROM user_keys WHERE kid = ?').run(kid).changes > 0,
    );
  }

  #row(kid: string): UserKeyRow | undefined {
    return this.db.statement(`SELECT ${COLUMNS} FROM user_keys WHERE kid = ?`).get(kid) as
      | UserKeyRow
      | undefined;
  }
}
