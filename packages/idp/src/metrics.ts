/**
 * Prometheus text-format metrics: requests, tokens issued, faults by label, replays refused, a
 * latency histogram, connections (open, shed, refused) and memory. Each process keeps its own
 * counters; {@link Metrics.snapshot} and {@link renderMetrics} let `--workers` answer one view of
 * every worker (counters summed, memory per worker).
 *
 * @module
 */

import type { FaultMetricLabel } from './http/refusals.js';
import type { StsWarning } from './sts/handle.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Connection states, as the connection guard tracks them. */
export type ConnectionState = 'handshake' | 'idle' | 'active';

/** Open connections by state, and the cap. */
export interface ConnectionGauge {
  readonly handshake: number;
  readonly idle: number;
  readonly active: number;
  readonly max: number;
}

/** One process's counters, as plain JSON (sent over the cluster IPC channel). */
export interface MetricsSnapshot {
  /** Cluster worker id, 0 for a single process. */
  readonly worker: number;
  /** Keyed by the label set, e.g. `route="/psso/token",status="200"`. */
  readonly requests: Readonly<Record<string, number>>;
  readonly tokens: Readonly<Record<string, number>>;
  readonly faults: Readonly<Record<string, number>>;
  /** Requests served with a warning, by reason (e.g. `message-id-lowercase`). */
  readonly warnings: Readonly<Record<string, number>>;
  readonly replays: number;
  readonly buckets: readonly number[];
  readonly count: number;
  readonly sum: number;
  readonly shed: Readonly<Record<string, number>>;
  readonly refused: number;
  readonly connections: ConnectionGauge;
  readonly memory: {
    readonly rss: number;
    readonly heapUsed: number;
    readonly heapTotal: number;
    readonly external: number;
  };
}

/** The IdP's counters. */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  private readonly warnings = new Map<string, number>();
  private readonly shed = new Map<string, number>();
  private refused = 0;
  private replays = 0;
  private readonly buckets = new Array<number>(BUCKETS.length).fill(0);
  private count = 0;
  private sum = 0;
  /** Where open connections are read from (set by the connection guard). */
  connections: () => ConnectionGauge = () => ({ handshake: 0, idle: 0, active: 0, max: 0 });

  /** @param worker Cluster worker id (0: a single process). */
  constructor(readonly worker = 0) {}

  /** One HTTP request finished. */
  request(route: string, status: number, seconds: number): void {
    const key = `route="${label(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++)
      if (seconds <= (BUCKETS[i] as number)) this.buckets[i] = (this.buckets[i] as number) + 1;
  }

  /** A token was issued. */
  token(samlVersion: string): void {
    this.tokens.set(samlVersion, (this.tokens.get(samlVersion) ?? 0) + 1);
  }

  /** A request was refused with a fault (the label set is closed: see ./http/refusals.ts). */
  fault(reason: FaultMetricLabel): void {
    this.faults.set(reason, (this.faults.get(reason) ?? 0) + 1);
    // STS `replayed-nonce`; token endpoint `psso-server-nonce-replayed`, `psso-…SAML_REPLAY`.
    if (
      reason.startsWith('replayed-') ||
      reason.endsWith('-replayed') ||
      reason.endsWith('_REPLAY')
    )
      this.replays++;
  }

  /** A request was served, with something to warn about (e.g. `message-id-lowercase`). */
  warning(reason: StsWarning): void {
    this.warnings.set(reason, (this.warnings.get(reason) ?? 0) + 1);
  }

  /** An idle connection was closed to make room for a new one, at the connection cap. */
  connectionShed(state: Exclude<ConnectionState, 'active'>): void {
    this.shed.set(state, (this.shed.get(state) ?? 0) + 1);
  }

  /** A new connection was refused: at the cap, and every connection busy. */
  connectionRefused(): void {
    this.refused++;
  }

  /** This process's counters. */
  snapshot(): MetricsSnapshot {
    const mem = process.memoryUsage();
    return {
      worker: this.worker,
      requests: Object.fromEntries(this.requests),
      tokens: Object.fromEntries(this.tokens),
      faults: Object.fromEntries(this.faults),
      warnings: Object.fromEntries(this.warnings),
      replays: this.replays,
      buckets: [...this.buckets],
      count: this.count,
      sum: this.sum,
      shed: Object.fromEntries(this.shed),
      refused: this.refused,
      connections: this.connections(),
      memory: {
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        heapTotal: mem.heapTotal,
        external: mem.external + mem.arrayBuffers,
      },
    };
  }

  /** The exposition text of this process alone. */
  render(): string {
    return renderMetrics([this.snapshot()]);
  }
}

/**
 * The exposition text of one or more processes: counters, histogram and connections summed,
 * memory labelled by `worker`, and `psso_idp_workers_reporting` (how many snapshots were merged).
 *
 * @example
 * ```ts
 * const text = renderMetrics([a.snapshot(), b.snapshot()]);
 * ```
 */
export function renderMetrics(snapshots: readonly MetricsSnapshot[]): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const sum = (pick: (s: MetricsSnapshot) => number) => snapshots.reduce((n, s) => n + pick(s), 0);
  const sumMaps = (pick: (s: MetricsSnapshot) => Readonly<Record<string, number>>) => {
    const out = new Map<string, number>();
    for (const s of snapshots)
      for (const [k, v] of Object.entries(pick(s))) out.set(k, (out.get(k) ?? 0) + v);
    return out;
  };
  family('psso_idp_requests_total', 'counter', 'HTTP requests by route and status.');
  for (const [k, v] of sumMaps((s) => s.requests)) lines.push(`psso_idp_requests_total{${k}} ${v}`);
  family('psso_idp_tokens_issued_total', 'counter', 'SAML assertions issued.');
  for (const [k, v] of sumMaps((s) => s.tokens))
    lines.push(`psso_idp_tokens_issued_total{saml="${label(k)}"} ${v}`);
  family('psso_idp_faults_total', 'counter', 'Requests refused, by reason.');
  for (const [k, v] of sumMaps((s) => s.faults))
    lines.push(`psso_idp_faults_total{reason="${label(k)}"} ${v}`);
  family('psso_idp_warnings_total', 'counter', 'Requests served with a warning, by reason.');
  for (const [k, v] of sumMaps((s) => s.warnings))
    lines.push(`psso_idp_warnings_total{reason="${label(k)}"} ${v}`);
  family(
    'psso_idp_replays_refused_total',
    'counter',
    'Replayed nonces, assertions or server nonces refused.',
  );
  lines.push(`psso_idp_replays_refused_total ${sum((s) => s.replays)}`);
  family('psso_idp_request_duration_seconds', 'histogram', 'Request latency.');
  BUCKETS.forEach((le, i) => {
    const n = sum((s) => s.buckets[i] ?? 0);
    lines.push(`psso_idp_request_duration_seconds_bucket{le="${le}"} ${n}`);
  });
  const count = sum((s) => s.count);
  lines.push(
    `psso_idp_request_duration_seconds_bucket{le="+Inf"} ${count}`,
    `psso_idp_request_duration_seconds_sum ${sum((s) => s.sum)}`,
    `psso_idp_request_duration_seconds_count ${count}`,
  );
  family('psso_idp_connections', 'gauge', 'Open connections by state.');
  for (const state of ['handshake', 'idle', 'active'] as const)
    lines.push(`psso_idp_connections{state="${state}"} ${sum((s) => s.connections[state])}`);
  family('psso_idp_connections_max', 'gauge', 'The connection cap (all workers).');
  lines.push(`psso_idp_connections_max ${sum((s) => s.connections.max)}`);
  family(
    'psso_idp_connections_shed_total',
    'counter',
    'Idle connections closed at the cap to admit a new one, by state.',
  );
  const shed = sumMaps((s) => s.shed);
  for (const state of ['handshake', 'idle'])
    lines.push(`psso_idp_connections_shed_total{state="${state}"} ${shed.get(state) ?? 0}`);
  family(
    'psso_idp_connections_refused_total',
    'counter',
    'New connections refused at the cap (every connection busy).',
  );
  lines.push(`psso_idp_connections_refused_total ${sum((s) => s.refused)}`);
  family('psso_idp_workers_reporting', 'gauge', 'Processes whose counters this answer sums.');
  lines.push(`psso_idp_workers_reporting ${snapshots.length}`);
  const memory = [
    ['process_resident_memory_bytes', 'Resident memory size in bytes.', 'rss'],
    ['nodejs_heap_used_bytes', 'V8 heap in use.', 'heapUsed'],
    ['nodejs_heap_total_bytes', 'V8 heap reserved.', 'heapTotal'],
    ['nodejs_external_memory_bytes', 'Memory outside the V8 heap (buffers).', 'external'],
  ] as const;
  for (const [name, help, field] of memory) {
    family(name, 'gauge', `${help} By worker.`);
    for (const s of snapshots) lines.push(`${name}{worker="${s.worker}"} ${s.memory[field]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A Prometheus label value: backslash, quote and newline escaped. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
