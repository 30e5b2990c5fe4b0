/**
 * Users in the IdP's SQLite database (`users`, keyed by `upn_key`, the canonical UPN). Removing a
 * user or changing its password revokes its refresh tokens in the same transaction.
 *
 * @module
 */
import { type UserRow, UserStoreBase, type UserStoreOptions } from '../users.js';
import type { IdpDatabase } from './database.js';
import { revokeRefreshTokens } from './refresh-tokens.js';

const COLUMNS = 'upn, password_hash, immutable_id, created_at';

/**
 * A {@link UserStore} over the IdP database.
 *
 * @example
 * ```ts
 * const users = new SqliteUserStore(IdpDatabase.open(dataDir));
 * await users.add('alice@example.com', 'correct horse battery staple');
 * const user = await users.authenticate('ALICE@example.com', 'correct horse battery staple');
 * ```
 */
export class SqliteUserStore extends UserStoreBase {
  readonly #db: IdpDatabase;

  constructor(db: IdpDatabase, options: UserStoreOptions = {}) {
    super(options);
    this.#db = db;
  }

  protected async findRow(key: string): Promise<UserRow | undefined> {
    return this.#db.guard(
      () =>
        this.#db.statement(`SELECT ${COLUMNS} FROM users WHERE upn_key = ?`).get(key) as
          | UserRow
          | undefined,
    );
  }

  protected async insertRow(key: string, row: UserRow): Promise<boolean> {
    return this.#db.guard(() => {
      try {
        this.#db
          .statement(`INSERT INTO users (upn_key, ${COLUMNS}) VALUES (?, ?, ?, ?, ?)`)
          .run(key, row.upn, row.password_hash, row.immutable_id, row.created_at);
        return true;
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')
          return false;
        throw e;
      }
    });
  }

  protected async deleteUser(key: string): Promise<boolean> {
    return this.#db.guard(() =>
      this.#db.transaction(() => {
        const row = this.#db.statement('SELECT upn FROM users WHERE upn_key = ?').get(key) as
          | { upn: string }
          | undefined;
        if (row === undefined) return false;
        this.#db.statement('DELETE FROM lockout_counters WHERE user_key = ?').run(key);
        this.#db.statement('DELETE FROM lockout_sources WHERE user_key = ?').run(key);
        // Removing a user revokes the Platform SSO refresh tokens issued to it.
        revokeRefreshTokens(this.#db, row.upn);
        return this.#db.statement('DELETE FROM users WHERE upn_key = ?').run(key).changes > 0;
      }),
    );
  }

  protected async updatePassword(key: string, hash: string): Promise<UserRow | undefined> {
    return this.#db.guard(() =>
      this.#db.transaction(() => {
        const found = this.#db
          .statement(`SELECT ${COLUMNS} FROM users WHERE upn_key = ?`)
          .get(key) as UserRow | undefined;
        if (found === undefined) return undefined;
        this.#db.statement('UPDATE users SET password_hash = ? WHERE upn_key = ?').run(hash, key);
        revokeRefreshTokens(this.#db, found.upn);
        return found;
      }),
    );
  }

  protected async allRows(): Promise<UserRow[]> {
    return this.#db.guard(
      () =>
        this.#db.statement(`SELECT ${COLUMNS} FROM users ORDER BY upn_key, upn`).all() as UserRow[],
    );
  }
}
