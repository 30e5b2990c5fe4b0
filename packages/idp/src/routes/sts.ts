/**
 * POST /adfs/services/trust/13/usernamemixed and /2005/usernamemixed: the STS. SOAP bodies arrive
 * as raw bytes (size-limited by the server), go through the pipeline, and leave as SOAP 1.2 with
 * fault injection applied last.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { WsTrustVersion } from 'psso-wstrust';
import { SOAP11_CONTENT_TYPE, SOAP12_CONTENT_TYPE } from 'psso-wstrust/protocol';
import { requestSource } from '../auth/source.js';
import type { FaultInjection } from '../faults/injection.js';
import { issued, refuse, refused } from '../http/access-log.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { STS_PATHS } from '../mex-document.js';
import { handleRst, type StsDeps, type StsSettings } from '../sts/handle.js';

/** Registers both STS endpoints. */
export function stsRoutes(
  app: FastifyInstance,
  deps: StsDeps,
  settings: StsSettings,
  metrics: Metrics,
  log: Logger,
): void {
  const endpoint = (path: string, version: WsTrustVersion) =>
    app.post(path, async (request, reply) => {
      if (!(request.body instanceof Buffer)) {
        // Only SOAP bodies (application/soap+xml, text/xml) reach the STS.
        refuse(request, 'unsupported_media_type');
        return reply.code(415).send({ error: 'unsupported_media_type' });
      }
      const body = request.body;
      // The source is the TCP peer, never X-Forwarded-For (which the client writes).
      const source = requestSource(request.socket.remoteAddress);
      const answer = await handleRst(body, version, deps, settings, source);
      if (answer.warning !== undefined) {
        metrics.warning(answer.warning);
        log.log('warn', 'sts.no_message_id', {
          requestId: request.id,
          version,
          reason: answer.warning,
          outcome: answer.outcome,
          note: 'served without RelatesTo, as AD FS does; macOS (Platform SSO) would refuse such an answer',
        });
      }
      if (answer.outcome === 'issued') {
        metrics.token(answer.samlVersion ?? '1.1');
        issued(log, request, {
          user: answer.user ?? '',
          relyingParty: answer.relyingParty ?? '',
          method: `wstrust-${version}`,
        });
      } else {
        metrics.fault(answer.outcome);
        refused(log, request, 'sts.refused', answer.outcome, answer.detail);
      }
      const f = settings.faults;
      if (f.delayMs !== undefined) await new Promise((r) => setTimeout(r, f.delayMs));
      const text =
        f.truncate === true
          ? answer.body.slice(0, Math.floor(answer.body.length / 2))
          : answer.body;
      if (answer.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(answer.retryAfterSeconds));
      return reply
        .code(f.httpStatus ?? answer.status)
        .header('content-type', f.soap11 === true ? SOAP11_CONTENT_TYPE : SOAP12_CONTENT_TYPE)
        .header('cache-control', 'no-store')
        .send(text);
    });
  endpoint(STS_PATHS.usernamemixed13, '1.3');
  endpoint(STS_PATHS.usernamemixed2005, '2005');
}

/** Fault injection, loudly, once at start. */
export function announceFaults(f: FaultInjection, log: Logger): void {
  log.log('warn', 'FAULT INJECTION ENABLED: this STS answers wrongly on purpose', { faults: f });
}
