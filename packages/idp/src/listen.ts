/**
 * Listening on the IdP's address, with failures an operator can act on: a port in use is
 * `PSSO_ERR_IDP_PORT_IN_USE` naming the port (not an internal error), an address this machine does
 * not have or a privileged port is `PSSO_ERR_IDP_CONFIG`.
 *
 * @module
 */
import { createServer } from 'node:net';
import { IdpError } from 'psso-wstrust';

/**
 * The error for a failed listen, or `undefined` when it is not one of the expected causes.
 *
 * @example
 * ```ts
 * server.on('error', (e) => { throw listenError(e, '127.0.0.1', 8443) ?? e; });
 * ```
 */
export function listenError(e: unknown, host: string, port: number): IdpError | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new IdpError(
      'PSSO_ERR_IDP_PORT_IN_USE',
      `port ${port} on ${host} is in use: stop what uses it, or pass --port 0 (any free port) or another --port`,
      { cause: e },
    );
  if (code === 'EACCES')
    return new IdpError(
      'PSSO_ERR_IDP_CONFIG',
      `listening on port ${port} is not permitted to this user (ports below 1024 need privileges): pass another --port`,
      { cause: e },
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new IdpError(
      'PSSO_ERR_IDP_CONFIG',
      `--host ${host} is not an address of this machine (${code})`,
      { cause: e },
    );
  return undefined;
}

/**
 * `app.listen` with {@link listenError}'s errors.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_PORT_IN_USE` or `PSSO_ERR_IDP_CONFIG`.
 * @example
 * ```ts
 * await listenOrFail(app, '0.0.0.0', 8443);
 * ```
 */
export async function listenOrFail(
  app: { listen(o: { host: string; port: number }): Promise<unknown> },
  host: string,
  port: number,
): Promise<void> {
  try {
    await app.listen({ host, port });
  } catch (e) {
    throw listenError(e, host, port) ?? e;
  }
}

/**
 * Checks that `host:port` can be listened on now, by listening and closing at once (the primary of
 * `--workers`, which does not listen itself, so that a taken port fails before any worker starts).
 *
 * @throws {IdpError} as {@link listenOrFail}.
 * @example
 * ```ts
 * if (port !== 0) await probePort('127.0.0.1', port);
 * ```
 */
export async function probePort(host: string, port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(listenError(e, host, port) ?? e));
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
