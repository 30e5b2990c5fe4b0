/**
 * A short-lived cache of verified credentials, so a user who logs in repeatedly does not pay a
 * scrypt verification every time. Keys are HMAC-SHA256 digests (with a per-process random key) of
 * the canonical username and password: the cache never holds a password or a plain password hash. Only successes
 * are cached; lockout is always checked first; entries live `ttlMs` (default 60 s), so a password
 * change or removal made by another process takes effect within that time.
 *
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import { canonicalUsername } from '../auth/username.js';
import type { UserRecord } from '../state/records.js';

/** Verified-credential cache. */
export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { user: UserRecord; expires: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  private digest(upn: string, password: string): string {
    return createHmac('sha256', this.key)
      .update(canonicalUsername(upn))
      .update('\0')
      .update(password)
      .digest('base64');
  }

  /** The user, when these exact credentials were verified within the TTL. */
  get(upn: string, password: string, now: number): UserRecord | undefined {
    if (this.ttlMs <= 0) return undefined;
    const k = this.digest(upn, password);
    const hit = this.entries.get(k);
    if (hit === undefined) return undefined;
    if (hit.expires <= now) {
      this.entries.delete(k);
      return undefined;
    }
    return hit.user;
  }

  /** Remembers verified credentials. */
  set(upn: string, password: string, user: UserRecord, now: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      for (const [k, v] of this.entries) if (v.expires <= now) this.entries.delete(k);
      if (this.entries.size >= this.maxEntries) this.entries.clear();
    }
    this.entries.set(this.digest(upn, password), { user, expires: now + this.ttlMs });
  }

  /** Forgets everything (after user changes in this process). */
  clear(): void {
    this.entries.clear();
  }
}
