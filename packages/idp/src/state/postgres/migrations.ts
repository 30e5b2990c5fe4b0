/**
 * The PostgreSQL schema, as numbered migrations recorded in `schema_migrations`. Every host runs
 * `migrate` at start: the missing migrations are applied in one transaction under an advisory
 * lock, so hosts starting together apply each exactly once (the others wait, then find it done).
 * Append, never edit.
 *
 * @module
 */
import { dataDirError } from '../../store/data-dir.js';
import { DEFAULT_RELYING_PARTY } from '../relying-parties.js';
import type { PgDatabase } from './database.js';

/** The advisory lock the migrations run under: ('psso' as an int32, 1). */
const LOCK = [0x7073736f, 1] as const;

/** Numbered migrations: version n is `MIGRATIONS[n - 1]`. */
export const MIGRATIONS: readonly { readonly name: string; readonly sql: string }[] = [
  {
    name: 'the IdP state: users, relying parties, devices, keys, CAs, refresh tokens, lockout, replay',
    sql: `
      CREATE TABLE users (
        upn_key text PRIMARY KEY,
        upn text NOT NULL,
        password_hash text NOT NULL,
        immutable_id text NOT NULL UNIQUE,
        created_at text NOT NULL
      );
      CREATE TABLE relying_parties (
        identifier text PRIMARY KEY,
        saml_version text NOT NULL CHECK (saml_version IN ('1.1', '2.0')),
        recipient text
      );
      INSERT INTO relying_parties (identifier, saml_version)
        VALUES ('${DEFAULT_RELYING_PARTY.identifier}', '${DEFAULT_RELYING_PARTY.samlVersion}');
      CREATE TABLE devices (
        signing_kid text PRIMARY KEY,
        client_id text NOT NULL,
        signing_jwk text NOT NULL,
        encryption_kid text NOT NULL,
        encryption_jwk text NOT NULL,
        encryption_alg text NOT NULL CHECK (encryption_alg IN ('ECDH-ES',
          'HPKE-P256-SHA256-A256GCM', 'HPKE-P384-SHA384-A256GCM',
          'HPKE-X25519-SHA256-ChaCha20Poly1305')),
        created_at text NOT NULL
      );
      CREATE TABLE user_keys (
        kid text PRIMARY KEY,
        user_key text NOT NULL REFERENCES users (upn_key) ON DELETE CASCADE,
        upn text NOT NULL,
        jwk text NOT NULL,
        created_at text NOT NULL
      );
      CREATE INDEX user_keys_user ON user_keys (user_key);
      CREATE TABLE smartcard_cas (
        fingerprint text PRIMARY KEY,
        subject text NOT NULL,
        pem text NOT NULL,
        created_at text NOT NULL
      );
      CREATE TABLE refresh_families (
        id text PRIMARY KEY,
        user_key text NOT NULL,
        expires bigint NOT NULL,
        revoked boolean NOT NULL DEFAULT false
      );
      CREATE INDEX refresh_families_user ON refresh_families (user_key);
      CREATE INDEX refresh_families_expires ON refresh_families (expires);
      CREATE TABLE refresh_tokens (
        digest text PRIMARY KEY,
        family text NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
        upn text NOT NULL,
        client_id text NOT NULL,
        device_kid text NOT NULL,
        expires bigint NOT NULL,
        used boolean NOT NULL DEFAULT false
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
      CREATE TABLE lockout_counters (
        user_key text NOT NULL,
        class text NOT NULL CHECK (class IN ('familiar', 'unfamiliar')),
        failures integer NOT NULL,
        window_start bigint NOT NULL,
        locked_until bigint,
        PRIMARY KEY (user_key, class)
      );
      CREATE TABLE lockout_sources (
        user_key text NOT NULL,
        source text NOT NULL,
        last_success bigint NOT NULL,
        PRIMARY KEY (user_key, source)
      );
      CREATE TABLE replay_cache (
        key text PRIMARY KEY,
        expires bigint NOT NULL
      );
      CREATE INDEX replay_cache_expires ON replay_cache (expires);`,
  },
];

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies the missing migrations, in one transaction under the advisory lock; resolves the
 * versions it applied (none when another host had).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the database was written by a newer version;
 *   `PSSO_ERR_IDP_STORE_UNAVAILABLE` when it cannot be reached.
 * @example
 * ```ts
 * const applied = await migrate(db); // [1] on an empty database, [] afterwards
 * ```
 */
export async function migrate(db: PgDatabase): Promise<number[]> {
  return db.transaction(async (q) => {
    // Waiting for another host's migrations may take longer than one statement's limit.
    await q("SET LOCAL statement_timeout = '60s'");
    await q('SELECT pg_advisory_xact_lock($1, $2)', [...LOCK]);
    await q(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await q<{ v: number | null }>(
      'SELECT max(version) AS v FROM schema_migrations',
    );
    const current = rows[0]?.v ?? 0;
    if (current > MIGRATIONS.length)
      throw dataDirError(
        `the IdP database at ${db.target} was written by a newer version (schema ${current})`,
      );
    const applied: number[] = [];
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      const m = MIGRATIONS[v - 1] as (typeof MIGRATIONS)[number];
      await q(m.sql);
      await q('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [v, m.name]);
      applied.push(v);
    }
    return applied;
  });
}
