/**
 * An undici Agent whose connections leave from a chosen local address (say 127.0.0.2), so a test
 * or a benchmark can play a second client host over loopback. undici's own `connect` options do
 * not pass `localAddress` on, so this supplies the connector itself (TLS with the given CA).
 */
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent } from 'undici';

/** Options of {@link boundAgent}. */
export interface BoundAgentOptions {
  /** The local address to connect from, e.g. `127.0.0.2`. */
  readonly localAddress: string;
  /** PEM CA certificate(s) to trust for https (absent: plain TCP, for http). */
  readonly ca?: string;
  /** Connections kept per origin (undici `connections`; default unlimited). */
  readonly connections?: number;
}

/**
 * @example
 * ```ts
 * const agent = boundAgent({ localAddress: '127.0.0.2', ca: idp.caPem });
 * await httpRequest({ method: 'GET', url }, { dispatcher: agent });
 * await agent.close();
 * ```
 */
export function boundAgent(o: BoundAgentOptions): Agent {
  return new Agent({
    ...(o.connections === undefined ? {} : { connections: o.connections }),
    connect: (opts, callback) => {
      const base = { host: opts.hostname, port: Number(opts.port), localAddress: o.localAddress };
      const socket =
        o.ca === undefined
          ? tcpConnect(base)
          : tlsConnect({ ...base, ca: o.ca, ALPNProtocols: ['http/1.1'] });
      const ready = o.ca === undefined ? 'connect' : 'secureConnect';
      const onError = (error: Error) => callback(error, null);
      socket.once('error', onError);
      socket.once(ready, () => {
        socket.off('error', onError);
        callback(null, socket);
      });
      return socket;
    },
  });
}
