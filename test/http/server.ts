/**
 * Throwaway servers for the transport tests: node:http or node:https on 127.0.0.1, port 0, a
 * route table, the request body read in full, and a close() that also destroys the connections
 * left open (handlers that never answer, dribbling bodies) so node:test exits by itself.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';

/** A route: gets the request, the response and the whole request body. */
export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface TestServer {
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts a server answering `routes` (by path and query), 404 otherwise.
 *
 * @example
 * ```ts
 * const server = await startServer(new Map([['/hi', (_q, res) => res.end('hi')]]));
 * after(() => server.close());
 * ```
 */
export async function startServer(
  routes: ReadonlyMap<string, Handler>,
  tls?: { readonly key: string; readonly cert: string },
): Promise<TestServer> {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const handler = routes.get(req.url ?? '') ?? ((_q, r) => r.writeHead(404).end());
      handler(req, res, Buffer.concat(chunks));
    });
  };
  const server: Server =
    tls === undefined ? createServer(onRequest) : createHttpsServer(tls, onRequest);
  return listen(server, tls === undefined ? 'http' : 'https');
}

/**
 * A TCP server that accepts connections and never sends a byte: an https client to it stays in
 * the connect (TLS handshake) phase.
 *
 * @example
 * ```ts
 * const silent = await startSilentServer();
 * await httpRequest({ method: 'GET', url: `https://127.0.0.1:${silent.port}/` }, { timeoutMs: 300 });
 * ```
 */
export async function startSilentServer(): Promise<TestServer> {
  return listen(createTcpServer(), 'https');
}

/**
 * A port on 127.0.0.1 nothing listens on (listened on, then closed).
 *
 * @example
 * ```ts
 * const port = await freePort(); // connecting is refused
 * ```
 */
export async function freePort(): Promise<number> {
  const s = createTcpServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  s.close();
  await once(s, 'close');
  return port;
}

async function listen(
  server: Server | ReturnType<typeof createTcpServer>,
  scheme: 'http' | 'https',
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${scheme}://127.0.0.1:${port}`,
    port,
    async close() {
      for (const s of sockets) s.destroy();
      const closed = once(server, 'close');
      server.close();
      await closed;
    },
  };
}

/** What {@link echoHandler} saw. */
export interface Echo {
  readonly method: string;
  readonly headers: Record<string, string>;
  /** The request body, base64. */
  readonly body: string;
}

/**
 * Answers 200 JSON {@link Echo} of the request, with a repeated `x-multi` response header.
 *
 * @example
 * ```ts
 * const seen = echoed((await httpRequest({ method: 'GET', url: `${origin}/echo` }, loop)).body);
 * ```
 */
export const echoHandler: Handler = (req, res, body) => {
  res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
  res.end(
    JSON.stringify({ method: req.method, headers: req.headers, body: body.toString('base64') }),
  );
};

/**
 * Parses an {@link echoHandler} response body.
 *
 * @example
 * ```ts
 * assert.equal(echoed(res.body).method, 'POST');
 * ```
 */
export function echoed(body: Uint8Array): Echo {
  return JSON.parse(Buffer.from(body).toString()) as Echo;
}
