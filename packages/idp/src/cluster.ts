/**
 * `--workers N`: several IdP processes sharing one port through node:cluster. The primary prepares
 * the data folder (keys, server nonce key) and the state (database, relying parties, demo user)
 * once, forks the workers, and reports when all listen. The workers share every kind of state
 * through the data folder's SQLite database or, with `--database`, PostgreSQL (a replay sent to
 * any worker is refused); `--redis` shares replay and lockout across hosts.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { IdpError } from 'psso-wstrust';
import type { IdpConfig } from './config.js';
import type { Logger } from './log.js';
import { servePrimaryMetrics } from './metrics-cluster.js';
import { type IdpPki, loadOrCreatePki, type PkiOptions } from './pki.js';
import { loadOrCreateAdminToken } from './psso/admin-token.js';
import { loadOrCreateKeyContextKey } from './psso/key-context.js';
import { loadOrCreateLoginEncryptionKey } from './psso/login-encryption-key.js';
import { loadOrCreateNonceKey } from './psso/server-nonce.js';
import { openIdpState } from './state/open.js';

/** What a worker reports when it listens. */
export interface WorkerReady {
  readonly type: 'psso-idp-ready';
  readonly origin: string;
  /** The port listened on. */
  readonly port?: number;
}

/**
 * Creates every secret (keys, server nonce key, admin token), the database, relying parties and the
 * demo user before the workers start, so that all workers load the same ones. `database`: the
 * PostgreSQL URL the workers use (absent: SQLite in the data folder).
 */
export async function prepareDataDir(
  dataDir: string,
  config: IdpConfig,
  pkiOptions: PkiOptions = {},
  database?: string,
): Promise<{ demoPassword: string | undefined; adminTokenFile: string; pki: IdpPki }> {
  const pki = await loadOrCreatePki(dataDir, pkiOptions);
  await loadOrCreateNonceKey(dataDir);
  await loadOrCreateLoginEncryptionKey(dataDir);
  await loadOrCreateKeyContextKey(dataDir);
  const admin = await loadOrCreateAdminToken(dataDir);
  const state = await openIdpState({ dataDir, ...(database === undefined ? {} : { database }) });
  try {
    for (const rp of config.relyingParties) await state.relyingParties.upsert(rp);
    const demo = await state.users.ensureDemoUser();
    return {
      demoPassword: demo.created ? demo.password : undefined,
      adminTokenFile: admin.file,
      pki,
    };
  } finally {
    await state.close();
  }
}

/**
 * Forks `count` workers (which re-run the same command line) and resolves with the origin once
 * every one listens. `stop()` terminates them.
 */
export async function forkWorkers(
  count: number,
  log: Logger,
): Promise<{ origin: string; port: number | undefined; stop(): Promise<void> }> {
  log.log('debug', 'idp.workers.forking', { count });
  const workers: Worker[] = [];
  const origins: string[] = [];
  let port: number | undefined;
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < count; i++) {
      const worker = cluster.fork({ PSSO_IDP_WORKER: '1' });
      workers.push(worker);
      worker.on('message', (m: WorkerReady) => {
        if (m?.type !== 'psso-idp-ready') return;
        origins.push(m.origin);
        port ??= m.port;
        if (origins.length === count) resolve();
      });
      worker.once('exit', (code) => {
        if (origins.length < count)
          reject(
            new IdpError(
              'PSSO_ERR_IDP_WORKER_EXITED',
              `an IdP worker exited with code ${code} before listening`,
            ),
          );
      });
    }
    servePrimaryMetrics(workers);
  });
  return {
    origin: origins[0] as string,
    port,
    async stop() {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              // A plain SIGTERM (not worker.kill(), which first cuts the IPC channel that a
              // cluster worker needs to close its listening handle), then SIGKILL after 5 s.
              const force = setTimeout(() => w.process.kill('SIGKILL'), 5_000);
              w.once('exit', () => {
                clearTimeout(force);
                resolve();
              });
              w.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

/** Whether this process is a forked IdP worker. */
export function isIdpWorker(): boolean {
  return cluster.isWorker && process.env.PSSO_IDP_WORKER === '1';
}

/** Tells the primary this worker listens. */
export function reportReady(origin: string, port?: number): void {
  process.send?.({
    type: 'psso-idp-ready',
    origin,
    ...(port === undefined ? {} : { port }),
  } satisfies WorkerReady);
}
