/**
 * Refresh tokens: random, stored only as SHA-256 digests, expiring, single use (each refresh
 * rotates the token), revocable per user.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';

/** What a refresh token stands for. */
export interface RefreshGrant {
  readonly upn: string;
  readonly clientId: string;
  readonly deviceKid: string;
  readonly expires: number;
}

/** In-memory refresh tokens (they do not survive a restart: the device logs in again). */
export class RefreshTokenStore {
  private readonly grants = new Map<string, RefreshGrant>();

  constructor(
    readonly lifetimeMs = 14 * 24 * 3600_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new refresh token for the grant. */
  issue(grant: Omit<RefreshGrant, 'expires'>): string {
    const t = this.now();
    if (this.grants.size >= this.maxEntries) {
      for (const [k, g] of this.grants) if (g.expires <= t) this.grants.delete(k);
    }
    const token = randomBytes(32).toString('base64url');
    this.grants.set(digest(token), { ...grant, expires: t + this.lifetimeMs });
    return token;
  }

  /** The grant of an unexpired, unused token; the token is consumed. */
  consume(token: string): RefreshGrant | undefined {
    const k = digest(token);
    const g = this.grants.get(k);
    this.grants.delete(k);
    return g !== undefined && g.expires > this.now() ? g : undefined;
  }

  /** Revokes every token of a user. */
  revoke(upn: string): void {
    for (const [k, g] of this.grants)
      if (g.upn.toLowerCase() === upn.toLowerCase()) this.grants.delete(k);
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
