/**
 * The attacker of `bench/flood.bench.ts`, in its own process: `connections` keep-alive https
 * connections from `localAddress` (opened over `rampMs`), each sending the same wrong-password RequestSecurityToken again
 * as soon as the answer arrives, for `durationMs`. Bounded in count (connections) and time; stops
 * by itself and prints one JSON line of counts: issued (200), busy (a fault with Retry-After),
 * refused (any other fault), errors (transport).
 *
 * Usage (from the benchmark): `node --import tsx bench/lib/flood-client.ts '<json options>'`.
 */
import { request } from 'undici';
import { boundAgent } from '../../test/helpers/bound-agent.ts';

interface FloodOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly ca: string;
  readonly connections: number;
  readonly durationMs: number;
  readonly localAddress: string;
  /** Connections are opened evenly over this time (ms). */
  readonly rampMs: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as FloodOptions;
if (!o.url?.startsWith('https://127.') && !o.url?.startsWith('https://[::1]'))
  throw new Error('the flood only targets loopback');
const agent = boundAgent({
  localAddress: o.localAddress,
  ca: o.ca,
  connections: o.connections,
});
const counts = { issued: 0, busy: 0, refused: 0, errors: 0, other: 0 };
const stopAt = performance.now() + o.durationMs;

/** Connection `i` starts after i/connections of `rampMs`, so the SYNs fit the listen backlog. */
async function loop(i: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, (i * o.rampMs) / o.connections));
  while (performance.now() < stopAt) {
    try {
      const r = await request(o.url, {
        method: 'POST',
        headers: o.headers,
        body: o.body,
        dispatcher: agent,
      });
      await r.body.dump();
      if (r.statusCode === 200) counts.issued++;
      else if (r.statusCode === 500 && r.headers['retry-after'] !== undefined) counts.busy++;
      else if (r.statusCode === 500) counts.refused++;
      else counts.other++;
    } catch {
      counts.errors++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

await Promise.all(Array.from({ length: o.connections }, (_, i) => loop(i)));
await agent.close();
process.stdout.write(`${JSON.stringify(counts)}\n`);
