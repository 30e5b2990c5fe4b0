/**
 * undici agents: one shared default, one per distinct set of extra CAs, each with bounded
 * timeouts. Cached so connections are reused.
 *
 * @module
 */
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import type { HttpOptions } from './options.js';

const agents = new Map<string, Agent>();

/** The cached agent for `ca` (undefined: Node's roots only). */
export function agentFor(ca: HttpOptions['ca'], timeoutMs: number): Agent {
  const list =
    ca === undefined ? [] : typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : [...ca];
  const pems = list.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8')));
  const key = `${timeoutMs}\n${pems.join('\n')}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = new Agent({
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: timeoutMs,
      connections: 64,
      ...(pems.length === 0 ? {} : { connect: { ca: [...rootCertificates, ...pems] } }),
    });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * Closes every cached agent (for tests and CLI shutdown).
 *
 * @example
 * ```ts
 * after(() => closeHttpAgents());
 * ```
 */
export async function closeHttpAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close()));
}
