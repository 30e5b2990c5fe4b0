/** Small helpers to time tasks with tinybench and print a table with ratios and targets. */
import { Bench } from 'tinybench';

export interface Timing {
  readonly name: string;
  /** Median microseconds per operation. */
  readonly p50: number;
  /** Mean microseconds per operation. */
  readonly mean: number;
  /** Relative margin of error of the mean, percent. */
  readonly rme: number;
  readonly samples: number;
}

/** Runs each task for `timeMs` after a warm-up and returns median and mean µs/op. */
export async function time(
  tasks: ReadonlyArray<readonly [string, () => unknown]>,
  timeMs: number,
): Promise<Timing[]> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(500, timeMs / 2) });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  return bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed')
      throw new Error(`benchmark task ${task.name} did not complete: ${r.state}`);
    return {
      name: task.name,
      p50: r.latency.p50 * 1000,
      mean: r.latency.mean * 1000,
      rme: r.latency.rme,
      samples: r.latency.samples?.length ?? 0,
    };
  });
}

export function fmt(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}

export function table(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
