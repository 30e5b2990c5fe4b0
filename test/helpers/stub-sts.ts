/**
 * A stub AD FS on loopback https, started by the test itself on port 0: serves a MEX document
 * pointing at its own 1.3 and 2005 endpoints and answers RequestSecurityTokens with responses
 * correlated to the request's MessageID. Knobs make one endpoint misbehave at a time.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mexDoc } from './mex-doc.ts';
import { response } from './responses.ts';
import { makeTestPki } from './tls.ts';

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type EndpointBehaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  | { kind: 'reset' }
  | { kind: 'fault'; subcode: string }
  | { kind: 'wrong-relates-to' }
  | { kind: 'hang' };

export interface StubSts {
  readonly origin: string;
  readonly mexUrl: string;
  readonly caPem: string;
  readonly requests: StubRequest[];
  behaviour: { '13': EndpointBehaviour; '2005': EndpointBehaviour; mex: 'ok' | 'redirect' };
  /** The RequestedSecurityToken content of `ok` answers (default: an unsigned SAML 1.1 assertion). */
  token: string | undefined;
  close(): Promise<void>;
}

/** Times in responses follow the real clock: `now` is when the request arrives. */
export async function startStubSts(): Promise<StubSts> {
  const pki = await makeTestPki();
  const requests: StubRequest[] = [];
  const behaviour: StubSts['behaviour'] = {
    '13': { kind: 'ok' },
    '2005': { kind: 'ok' },
    mex: 'ok',
  };
  let origin = '';
  const state: { token: string | undefined } = { token: undefined };
  const server: Server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      handle(req.url ?? '', body, res);
    });
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function handle(path: string, body: string, res: ServerResponse): void {
    if (path === '/adfs/services/trust/mex') {
      if (behaviour.mex === 'redirect') {
        res.writeHead(302, { location: `${origin}/elsewhere` }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8' });
      res.end(
        mexDoc({
          address13: `${origin}/adfs/services/trust/13/usernamemixed`,
          address2005: `${origin}/adfs/services/trust/2005/usernamemixed`,
        }),
      );
      return;
    }
    const version = path.endsWith('/13/usernamemixed')
      ? '13'
      : path.endsWith('/2005/usernamemixed')
        ? '2005'
        : undefined;
    if (version === undefined) {
      res.writeHead(404).end();
      return;
    }
    const b = behaviour[version];
    const messageId = /<a:MessageID>([^<]+)<\/a:MessageID>/.exec(body)?.[1] ?? 'none';
    const now = Date.now();
    const times = {
      created: new Date(now).toISOString(),
      expires: new Date(now + 300_000).toISOString(),
      lifetimeCreated: new Date(now).toISOString(),
      lifetimeExpires: new Date(now + 3_600_000).toISOString(),
    };
    const v = version === '13' ? '1.3' : '2005';
    switch (b.kind) {
      case 'status':
        res.writeHead(b.status).end();
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'hang':
        return;
      case 'fault':
        res.writeHead(500, { 'content-type': 'application/soap+xml; charset=utf-8' });
        res.end(
          response({
            ...times,
            relatesTo: messageId,
            fault: { code: 's:Sender', subcode: b.subcode, reason: 'MSIS7068: Access denied.' },
          }),
        );
        return;
      default:
        res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8' });
        res.end(
          response({
            ...times,
            version: v,
            relatesTo: b.kind === 'wrong-relates-to' ? 'urn:uuid:other' : messageId,
            ...(state.token === undefined ? {} : { token: state.token }),
          }),
        );
    }
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    mexUrl: `${origin}/adfs/services/trust/mex`,
    caPem: pki.caPem,
    requests,
    behaviour,
    get token() {
      return state.token;
    },
    set token(value: string | undefined) {
      state.token = value;
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
