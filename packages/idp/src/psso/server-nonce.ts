/**
 * Server nonces for Platform SSO (`POST /psso/nonce`), stateless: a nonce is sealed, not stored.
 * Issuing one writes nothing, so anonymous nonce requests cannot fill any store.
 *
 * A nonce is base64url(version 0x01 ‖ issue time, epoch ms, uint64 big-endian ‖ 16 random bytes ‖
 * tag), where the tag is HMAC-SHA-256 (truncated to 16 bytes) under a 32-byte key kept in
 * `<data>/nonce-key` (mode 0600) over a domain label and the first 25 bytes. Every worker and every
 * host sharing the data folder (or a copy of the key) accepts the nonces of the others. A nonce is
 * valid five minutes from its issue time; single use is enforced by recording its *consumption* in
 * the consumed-nonce store (SQLite, PostgreSQL or Redis) until it expires, which happens only after the login JWT's
 * signature from a registered device verified.
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { ConsumedNonces } from '../state/types.js';
import { createFileOnce, dataDirError, ensureDataDir } from '../store/data-dir.js';
import { readSecretFile } from '../store/secret-file.js';

/** The key file's name inside the data folder. */
export const NONCE_KEY_FILE = 'nonce-key';

const VERSION = 0x01;
const RANDOM_BYTES = 16;
const TAG_BYTES = 16;
/** version ‖ time ‖ random. */
const SEALED_BYTES = 1 + 8 + RANDOM_BYTES;
const NONCE_BYTES = SEALED_BYTES + TAG_BYTES;
/** base64url length of {@link NONCE_BYTES} bytes, unpadded. */
const NONCE_CHARS = Math.ceil((NONCE_BYTES * 8) / 6);
const LABEL = Buffer.from('psso-wstrust/server-nonce/v1\0', 'utf8');
const KEY_BYTES = 32;

/** Why a server nonce was refused: the token endpoint's outcome label. */
export type ServerNonceRefusal =
  | 'server-nonce-missing'
  | 'server-nonce-malformed'
  | 'server-nonce-forged'
  | 'server-nonce-expired'
  | 'server-nonce-future'
  | 'server-nonce-replayed';

/** Options of {@link ServerNonces}. */
export interface ServerNonceOptions {
  /** The sealing key: 32 bytes, from {@link loadOrCreateNonceKey}. */
  readonly key: Uint8Array;
  /** Where consumptions are recorded (shared by every process that shares the key). */
  readonly consumed: ConsumedNonces;
  /** The clock (default `() => new Date()`). */
  readonly clock?: () => Date;
  /** How long a nonce is valid after issue (default 300 000 ms). */
  readonly lifetimeMs?: number;
  /** Tolerated clock difference between hosts for an issue time in the future (default 120 000 ms). */
  readonly skewMs?: number;
}

/**
 * Issues and consumes sealed server nonces.
 *
 * @example
 * ```ts
 * const nonces = new ServerNonces({ key: await loadOrCreateNonceKey(dataDir), consumed: state.nonces });
 * reply.send({ Nonce: nonces.issue() }); // writes nothing
 * // later, once the login JWT's device signature verified:
 * const refusal = await nonces.consume(claims.request_nonce);
 * if (refusal !== undefined) refuse(refusal); // e.g. 'server-nonce-replayed'
 * ```
 */
export class ServerNonces {
  readonly #key: Buffer;
  readonly #consumed: ConsumedNonces;
  readonly #clock: () => Date;
  readonly #lifetimeMs: number;
  readonly #skewMs: number;

  /** @throws {TypeError} for a key that is not 32 bytes or a duration out of range. */
  constructor(options: ServerNonceOptions) {
    if (!(options.key instanceof Uint8Array) || options.key.length !== KEY_BYTES)
      throw new TypeError(`the server nonce key must be ${KEY_BYTES} bytes`);
    this.#key = Buffer.from(options.key);
    this.#consumed = options.consumed;
    this.#clock = options.clock ?? (() => new Date());
    this.#lifetimeMs = duration(options.lifetimeMs ?? 300_000, 'lifetimeMs');
    this.#skewMs = duration(options.skewMs ?? 120_000, 'skewMs', true);
  }

  /** How long a nonce is valid after issue, in milliseconds. */
  get lifetimeMs(): number {
    return this.#lifetimeMs;
  }

  /**
   * A fresh nonce, sealed with the current time. Writes nothing.
   *
   * @example
   * ```ts
   * nonces.issue(); // 'AQAAAZ…' (55 base64url characters)
   * ```
   */
  issue(): string {
    const body = Buffer.alloc(SEALED_BYTES);
    body.writeUInt8(VERSION, 0);
    body.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#clock().getTime()))), 1);
    randomBytes(RANDOM_BYTES).copy(body, 9);
    return Buffer.concat([body, this.#tag(body)]).toString('base64url');
  }

  /**
   * Checks a nonce and consumes it: the seal (in constant time), the age (at most the lifetime,
   * not in the future beyond the skew), then records its consumption until it expires.
   * Resolves `undefined` when accepted, else the refusal.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the nonce store cannot answer (the
   *   endpoint fails closed).
   *
   * @example
   * ```ts
   * const refusal = await nonces.consume(nonce); // undefined, then 'server-nonce-replayed'
   * ```
   */
  async consume(nonce: unknown): Promise<ServerNonceRefusal | undefined> {
    if (typeof nonce !== 'string' || nonce === '') return 'server-nonce-missing';
    if (nonce.length !== NONCE_CHARS || !/^[A-Za-z0-9_-]+$/.test(nonce))
      return 'server-nonce-malformed';
    const bytes = Buffer.from(nonce, 'base64url');
    // One spelling per nonce: the unused low bits must be zero, or a replay could re-spell it.
    if (bytes.length !== NONCE_BYTES || bytes.toString('base64url') !== nonce)
      return 'server-nonce-malformed';
    const body = bytes.subarray(0, SEALED_BYTES);
    if (!timingSafeEqual(bytes.subarray(SEALED_BYTES), this.#tag(body)))
      return 'server-nonce-forged';
    if (body.readUInt8(0) !== VERSION) return 'server-nonce-malformed';
    const issued = Number(body.readBigUInt64BE(1));
    const now = this.#clock().getTime();
    if (issued - now > this.#skewMs) return 'server-nonce-future';
    if (now - issued >= this.#lifetimeMs) return 'server-nonce-expired';
    // Remembered until no process (within the skew) would still accept it.
    const remaining = issued + this.#lifetimeMs + this.#skewMs - now;
    const first = await this.#consumed.consume(nonce, remaining);
    return first ? undefined : 'server-nonce-replayed';
  }

  #tag(body: Buffer): Buffer {
    return createHmac('sha256', this.#key)
      .update(LABEL)
      .update(body)
      .digest()
      .subarray(0, TAG_BYTES);
  }
}

/**
 * The sealing key in `<dataDir>/nonce-key` (32 random bytes as base64url, mode 0600), created when
 * absent; `fileName` names another 32-byte secret of the same form (the key_context key). Race-free: the key is written to a temporary file and published with a hard link, which
 * fails if another process published first; then everyone reads the one that won, so concurrent
 * workers converge on one key.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the file cannot be created or read, or does not
 *   hold a 32-byte key.; `PSSO_ERR_IDP_KEY_FILE_MODE` when other users may read or
 *   write it.
 *
 * @example
 * ```ts
 * const key = await loadOrCreateNonceKey(dataDir);
 * ```
 */
export async function loadOrCreateNonceKey(
  dataDir: string,
  fileName: string = NONCE_KEY_FILE,
  what = 'the server nonce key file',
): Promise<Buffer> {
  const dir = ensureDataDir(dataDir);
  const file = join(dir, fileName);
  const existing = await readKey(file, what);
  if (existing !== undefined) return existing;
  // Atomic and race-free: concurrent starts (workers, hosts on one folder) converge on one key.
  await createFileOnce(file, `${randomBytes(KEY_BYTES).toString('base64url')}\n`, 0o600);
  const key = await readKey(file, what);
  if (key === undefined) throw dataDirError(`cannot read ${file}`);
  return key;
}

/** The key in `file`, or `undefined` when there is no file. */
async function readKey(file: string, what: string): Promise<Buffer | undefined> {
  // Other users must not read or write it (PSSO_ERR_IDP_KEY_FILE_MODE, with the chmod that fixes it).
  const text = await readSecretFile(file, what);
  if (text === undefined) return undefined;
  const key = Buffer.from(text.trim(), 'base64url');
  if (!/^[A-Za-z0-9_-]{43}$/.test(text.trim()) || key.length !== KEY_BYTES)
    throw dataDirError(`${file} does not hold a ${KEY_BYTES}-byte key`);
  return key;
}

function duration(ms: number, name: string, zeroOk = false): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || (ms === 0 && !zeroOk))
    throw new TypeError(`${name} must be a finite number of milliseconds`);
  return ms;
}
