/**
 * The default connection cap: below the open-file limit the process runs with, so that sockets
 * alone can never exhaust the descriptors the IdP needs for its database, Redis, its keys and logs.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** Descriptors kept for everything that is not a client connection. */
export const FD_RESERVE = 128;

/** The cap when the open-file limit cannot be read (or is unlimited). */
export const FALLBACK_MAX_CONNECTIONS = 4096;

/**
 * The soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start), from
 * `/proc/self/limits` on Linux, else from the diagnostic report; `undefined` when unknown or
 * unlimited.
 */
export function openFileLimit(): number | undefined {
  try {
    const row = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = row?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft !== undefined) return /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    // Not Linux: ask the diagnostic report below.
  }
  try {
    // Leave out network interfaces (slow to list on some hosts); absent from older typings.
    (process.report as { excludeNetwork?: boolean }).excludeNetwork = true;
    const report = process.report.getReport() as {
      userLimits?: { open_files?: { soft?: unknown } };
    };
    const soft = report.userLimits?.open_files?.soft;
    return typeof soft === 'number' && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The connection cap for an open-file limit: the limit less {@link FD_RESERVE} (less a quarter
 * of it when the limit is small), at least 1; {@link FALLBACK_MAX_CONNECTIONS} when unknown.
 *
 * @example
 * ```ts
 * defaultMaxConnections(1024); // 896
 * defaultMaxConnections(256); // 192
 * defaultMaxConnections(openFileLimit()); // this process's default
 * ```
 */
export function defaultMaxConnections(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return FALLBACK_MAX_CONNECTIONS;
  return Math.max(1, limit - Math.min(FD_RESERVE, Math.floor(limit / 4)));
}
