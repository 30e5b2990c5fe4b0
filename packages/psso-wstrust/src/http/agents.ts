/**
 * The built-in undici agents: one shared default (Node's roots), one per distinct set of extra
 * CAs, each with connect, headers and body timeouts bounded by the request's deadline. Cached at
 * module level so connections are reused; {@link closeHttpAgents} closes them all.
 *
 * @module
 */
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import type { HttpOptions } from './options.js';

/** Agents kept at most; past this the oldest is closed (its requests in flight still finish). */
const MAX_AGENTS = 16;

const agents = new Map<string, Agent>();

/**
 * The cached agent for `ca` (undefined: Node's roots only) whose undici timeouts equal
 * `timeoutMs`. The same `ca` and `timeoutMs` always give the same agent.
 *
 * @example
 * ```ts
 * const dispatcher = options.dispatcher ?? agentFor(options.ca, 30_000);
 * ```
 */
export function agentFor(ca: HttpOptions['ca'], timeoutMs: number): Agent {
  const pems = caList(ca);
  const key = `${timeoutMs}\n${pems.join('\n')}`;
  const cached = agents.get(key);
  if (cached !== undefined) return cached;
  const agent = new Agent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(pems.length === 0 ? {} : { connect: { ca: [...rootCertificates, ...pems] } }),
  });
  if (agents.size >= MAX_AGENTS) {
    const [oldestKey, oldest] = agents.entries().next().value ?? [];
    if (oldestKey !== undefined) agents.delete(oldestKey);
    oldest?.close().catch(() => {});
  }
  agents.set(key, agent);
  return agent;
}

/** The extra CAs as PEM strings, in order. */
function caList(ca: HttpOptions['ca']): string[] {
  if (ca === undefined) return [];
  const list = typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : [...ca];
  return list.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8')));
}

/**
 * Closes every cached agent, i.e. the kept-alive connections the library's requests opened, so a
 * script or test can exit promptly (for tests, CLI shutdown, or a program done with the library).
 * Requests in flight finish first; later requests get fresh agents, so calling it is always safe.
 *
 * @example
 * ```ts
 * import { closeHttpAgents, wsTrustLogin } from 'psso-wstrust';
 *
 * try {
 *   const { token } = await wsTrustLogin({ mexUrl, federationRequestURN, username, password });
 * } finally {
 *   await closeHttpAgents(); // no idle keep-alive sockets hold the process open
 * }
 * // in a node:test file: after(() => closeHttpAgents());
 * ```
 */
export async function closeHttpAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close()));
}
