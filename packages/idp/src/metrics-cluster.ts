/**
 * `/metrics` under `--workers`: one view of every worker, not whichever worker answered. The
 * worker that serves `/metrics` asks the primary over the cluster IPC channel; the primary asks
 * every live worker for its {@link MetricsSnapshot} (waiting at most {@link GATHER_TIMEOUT_MS}),
 * and sends the snapshots back; the worker renders them summed. Concurrent scrapes share one
 * gathering, in the worker and in the primary, so scraping costs a bounded amount of work.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { IdpError } from 'psso-wstrust';
import { type Metrics, type MetricsSnapshot, renderMetrics } from './metrics.js';

/** How long the primary waits for the workers' snapshots. */
export const GATHER_TIMEOUT_MS = 1_000;
/** How long a worker waits for the primary's answer. */
export const ANSWER_TIMEOUT_MS = 3_000;

type Message =
  | { type: 'psso-metrics-gather'; id: number }
  | { type: 'psso-metrics-snapshot-request'; id: number }
  | { type: 'psso-metrics-snapshot'; id: number; snapshot: MetricsSnapshot }
  | { type: 'psso-metrics-merged'; id: number; snapshots: MetricsSnapshot[] };

/** Whether this process is a forked IdP worker (same test as `isIdpWorker`). */
function inCluster(): boolean {
  return cluster.isWorker && process.env.PSSO_IDP_WORKER === '1' && process.send !== undefined;
}

/** This process's cluster worker id, 0 outside a cluster. */
export function workerId(): number {
  return inCluster() ? (cluster.worker?.id ?? 0) : 0;
}

/** Where `/metrics` text comes from. */
export interface MetricsSource {
  /** The exposition text (all workers in a cluster). Rejects when the primary does not answer. */
  text(): Promise<string>;
  /** Stops answering the primary (shutdown). */
  close(): void;
}

/**
 * The metrics source of this process: its own counters, or, in an IdP worker, every worker's.
 *
 * @example
 * ```ts
 * const source = metricsSource(metrics);
 * reply.send(await source.text());
 * ```
 */
export function metricsSource(metrics: Metrics): MetricsSource {
  if (!inCluster()) return { text: async () => metrics.render(), close() {} };
  let next = 0;
  const waiting = new Map<number, (snapshots: MetricsSnapshot[]) => void>();
  let inflight: Promise<string> | undefined;
  const onMessage = (m: Message) => {
    if (m?.type === 'psso-metrics-snapshot-request')
      process.send?.({ type: 'psso-metrics-snapshot', id: m.id, snapshot: metrics.snapshot() });
    else if (m?.type === 'psso-metrics-merged') waiting.get(m.id)?.(m.snapshots);
  };
  process.on('message', onMessage);
  const gather = () =>
    new Promise<string>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(
          new IdpError('PSSO_ERR_IDP_METRICS_UNAVAILABLE', 'the cluster primary did not answer'),
        );
      }, ANSWER_TIMEOUT_MS);
      waiting.set(id, (snapshots) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(renderMetrics(snapshots));
      });
      process.send?.({ type: 'psso-metrics-gather', id } satisfies Message);
    });
  return {
    text() {
      inflight ??= gather().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    close() {
      process.off('message', onMessage);
    },
  };
}

/**
 * In the primary: answers the workers' `psso-metrics-gather` requests with the snapshots of every
 * live worker (those that answer within {@link GATHER_TIMEOUT_MS}).
 */
export function servePrimaryMetrics(workers: readonly Worker[]): void {
  interface Round {
    readonly id: number;
    readonly requesters: Array<{ worker: Worker; id: number }>;
    readonly got: MetricsSnapshot[];
    readonly expected: number;
    timer?: NodeJS.Timeout;
  }
  let next = 0;
  let round: Round | undefined;
  const finish = (r: Round) => {
    if (round !== r) return;
    round = undefined;
    clearTimeout(r.timer);
    const snapshots = [...r.got].sort((a, b) => a.worker - b.worker);
    for (const q of r.requesters)
      if (q.worker.isConnected())
        q.worker.send({ type: 'psso-metrics-merged', id: q.id, snapshots } satisfies Message);
  };
  const onMessage = (from: Worker, m: Message) => {
    if (m?.type === 'psso-metrics-gather') {
      if (round !== undefined) {
        round.requesters.push({ worker: from, id: m.id });
        return;
      }
      const live = workers.filter((w) => w.isConnected());
      const r: Round = {
        id: ++next,
        requesters: [{ worker: from, id: m.id }],
        got: [],
        expected: live.length,
      };
      round = r;
      r.timer = setTimeout(() => finish(r), GATHER_TIMEOUT_MS);
      r.timer.unref();
      for (const w of live)
        w.send({ type: 'psso-metrics-snapshot-request', id: r.id } satisfies Message);
    } else if (m?.type === 'psso-metrics-snapshot' && round !== undefined && round.id === m.id) {
      round.got.push(m.snapshot);
      if (round.got.length >= round.expected) finish(round);
    }
  };
  for (const worker of workers) worker.on('message', (m: Message) => onMessage(worker, m));
}
