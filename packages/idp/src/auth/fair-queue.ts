/**
 * A bounded, fair scheduler in front of password checks (scrypt). Without it every wrong-password
 * request queues a 16 MiB, ~50 ms scrypt on the 4-thread libuv pool, without bound: a flood of
 * 1,000 requests made a legitimate login wait 30 s. Here at most `concurrency` checks run, at most
 * `queue` wait, one source has at most `perSource` running or waiting, and a free slot goes to the
 * waiting source with the fewest checks running (round-robin among equals), so a flood from one
 * address delays another address's login by at most one check. Past a bound the caller is told at once ({@link IdpBusyError}), to answer
 * "busy, retry later" honestly instead of queueing.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';

/** Limits of a {@link FairQueue}. */
export interface FairQueueLimits {
  /** Checks running at once (default 4: the libuv thread pool). */
  readonly concurrency?: number;
  /** Checks waiting at once, all sources together (default 128). */
  readonly queue?: number;
  /** Checks running or waiting at once for one source (default 16). */
  readonly perSource?: number;
}

/** The default limits. */
export const DEFAULT_FAIR_QUEUE_LIMITS: Required<FairQueueLimits> = Object.freeze({
  concurrency: 4,
  queue: 128,
  perSource: 16,
});

/**
 * Too many password checks are running or waiting (in all, or for this source): answer "busy"
 * with `Retry-After: retryAfterSeconds`. Code `PSSO_ERR_IDP_BUSY`.
 *
 * @example
 * ```ts
 * try { await queue.run(source, check); } catch (e) {
 *   if (e instanceof IdpBusyError) reply.header('retry-after', String(e.retryAfterSeconds));
 * }
 * ```
 */
export class IdpBusyError extends IdpError {
  constructor(
    message: string,
    /** Whole seconds after which a retry may succeed. */
    readonly retryAfterSeconds: number,
  ) {
    super('PSSO_ERR_IDP_BUSY', message);
  }
}

interface Job {
  readonly source: string;
  readonly task: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Runs tasks with bounded concurrency and bounded, per-source fair waiting.
 *
 * @example
 * ```ts
 * const queue = new FairQueue({ concurrency: 4, queue: 128, perSource: 16 });
 * const ok = await queue.run('192.0.2.1', () => verifyPassword(hash, password));
 * ```
 */
export class FairQueue {
  readonly #concurrency: number;
  readonly #maxWaiting: number;
  readonly #perSource: number;
  /** Waiting jobs per source; the map's order is the round-robin order. */
  readonly #waiting = new Map<string, Job[]>();
  /** Running + waiting jobs per source. */
  readonly #inFlight = new Map<string, number>();
  /** Running jobs per source. */
  readonly #runningBy = new Map<string, number>();
  #running = 0;
  #waitingCount = 0;
  /** Smoothed duration of one task (ms), for Retry-After. */
  #taskMs = 50;

  /** @throws {TypeError} when a limit is not a whole number ≥ 1. */
  constructor(limits: FairQueueLimits = {}) {
    const l = { ...DEFAULT_FAIR_QUEUE_LIMITS, ...limits };
    for (const [name, v] of Object.entries(l))
      if (!Number.isSafeInteger(v) || v < 1)
        throw new TypeError(`${name} must be a whole number of at least 1`);
    this.#concurrency = l.concurrency;
    this.#maxWaiting = l.queue;
    this.#perSource = l.perSource;
  }

  /** Checks running now. */
  get running(): number {
    return this.#running;
  }

  /** Checks waiting now. */
  get waiting(): number {
    return this.#waitingCount;
  }

  /**
   * Runs `task` for `source` now, or when its turn comes.
   *
   * @throws {IdpBusyError} at once when `source` already has `perSource` checks running or
   *   waiting, or `queue` checks are waiting.
   * @example
   * ```ts
   * await queue.run(source, () => users.verify(upn, password));
   * ```
   */
  run<T>(source: string, task: () => Promise<T>): Promise<T> {
    const mine = this.#inFlight.get(source) ?? 0;
    if (mine >= this.#perSource)
      return Promise.reject(this.#busy('this source has too many password checks in flight'));
    const startNow = this.#running < this.#concurrency && this.#waitingCount === 0;
    if (!startNow && this.#waitingCount >= this.#maxWaiting)
      return Promise.reject(this.#busy('too many password checks are waiting'));
    this.#inFlight.set(source, mine + 1);
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        source,
        task,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (startNow) {
        this.#start(job);
        return;
      }
      const list = this.#waiting.get(source);
      if (list === undefined) this.#waiting.set(source, [job]);
      else list.push(job);
      this.#waitingCount++;
    });
  }

  #start(job: Job): void {
    this.#running++;
    this.#runningBy.set(job.source, (this.#runningBy.get(job.source) ?? 0) + 1);
    const began = performance.now();
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(job.task());
    } catch (e) {
      result = Promise.reject(e);
    }
    // The slot is released (and the next job started) before the caller hears back.
    const release = () => {
      this.#taskMs = 0.9 * this.#taskMs + 0.1 * (performance.now() - began);
      this.#running--;
      const running = (this.#runningBy.get(job.source) ?? 1) - 1;
      if (running === 0) this.#runningBy.delete(job.source);
      else this.#runningBy.set(job.source, running);
      const left = (this.#inFlight.get(job.source) ?? 1) - 1;
      if (left === 0) this.#inFlight.delete(job.source);
      else this.#inFlight.set(job.source, left);
      this.#next();
    };
    result.then(
      (value) => {
        release();
        job.resolve(value);
      },
      (error: unknown) => {
        release();
        job.reject(error);
      },
    );
  }

  /**
   * Starts waiting jobs while slots are free: each time from the waiting source with the fewest
   * checks running (the first such in round-robin order), which then goes to the back.
   */
  #next(): void {
    while (this.#running < this.#concurrency && this.#waitingCount > 0) {
      let chosen: string | undefined;
      let fewest = Number.POSITIVE_INFINITY;
      for (const source of this.#waiting.keys()) {
        const running = this.#runningBy.get(source) ?? 0;
        if (running < fewest) {
          chosen = source;
          fewest = running;
          if (running === 0) break;
        }
      }
      const list = chosen === undefined ? undefined : this.#waiting.get(chosen);
      if (chosen === undefined || list === undefined) return;
      this.#waiting.delete(chosen);
      const job = list.shift() as Job;
      if (list.length > 0) this.#waiting.set(chosen, list);
      this.#waitingCount--;
      this.#start(job);
    }
  }

  #busy(message: string): IdpBusyError {
    const drainMs = ((this.#waitingCount + this.#running) * this.#taskMs) / this.#concurrency;
    return new IdpBusyError(message, Math.min(60, Math.max(1, Math.ceil(drainMs / 1000))));
  }
}
