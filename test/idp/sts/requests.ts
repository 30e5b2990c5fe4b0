/** RSTs as a client would send them, and a way to hand one to the STS pipeline with the fakes. */
import { handleRst, type StsDeps, type StsSettings } from '../../../packages/idp/src/sts/handle.ts';
import {
  WSTRUST13,
  WSTRUST2005,
  type WsTrustVersion,
} from '../../../packages/psso-wstrust/src/protocol/wstrust.ts';
import {
  buildRequestSecurityToken,
  type RequestProfile,
} from '../../../packages/psso-wstrust/src/wstrust/rst.ts';
import { type Fakes, fakeDeps, NOW, settings, URN } from './fakes.ts';

/** What {@link rst} may change; everything else is alice's correct login to {@link URN} at {@link NOW}. */
export interface RstOptions {
  readonly version?: WsTrustVersion;
  /** Default `macos` (no Nonce); `wss11` carries a UsernameToken Nonce. */
  readonly profile?: RequestProfile;
  readonly username?: string;
  readonly password?: string;
  readonly appliesTo?: string;
  readonly now?: Date;
}

/** An RST to the usernamemixed endpoint of `version` (default 1.3). */
export function rst(o: RstOptions = {}) {
  const version = o.version ?? '1.3';
  return buildRequestSecurityToken({
    endpoint: {
      version,
      address: `https://sts.example.com/adfs/services/trust/${version === '1.3' ? '13' : '2005'}/usernamemixed`,
      soapAction: (version === '1.3' ? WSTRUST13 : WSTRUST2005).issueAction,
    },
    appliesTo: o.appliesTo ?? URN,
    username: o.username ?? 'alice@example.com',
    password: o.password ?? 'correct horse',
    profile: o.profile ?? 'macos',
    now: o.now ?? NOW,
  });
}

/** Hands `body` to the STS pipeline as a POST to the `version` endpoint. */
export const send = (
  body: string | Buffer,
  deps: Fakes = fakeDeps(),
  version: WsTrustVersion = '1.3',
  s = settings(),
) => handleRst(typeof body === 'string' ? Buffer.from(body) : body, version, deps, s);

/** An RST split around its UsernameToken Nonce, so that copies can carry fresh Nonces. */
export type NonceTemplate = readonly [head: string, tail: string];

/** Splits an RST (a `wss11` one, which has a Nonce) around its Nonce. */
export function aroundNonce(body: string): NonceTemplate {
  const nonce = /<o:Nonce [^>]*>([^<]+)</.exec(body)?.[1];
  if (nonce === undefined) throw new Error('the RST has no Nonce');
  return body.split(nonce) as [string, string];
}

/**
 * Hands `count` RSTs to the 1.3 pipeline, the templates in turn, each with a Nonce never sent
 * before (the Created stays the template's); resolves how many ended with each outcome.
 */
export async function nonceFlood(
  templates: readonly NonceTemplate[],
  count: number,
  deps: StsDeps,
  s: StsSettings,
): Promise<Record<string, number>> {
  const nonce = Buffer.alloc(16);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    nonce.writeUInt32BE(i);
    const [head, tail] = templates[i % templates.length] as NonceTemplate;
    const a = await handleRst(Buffer.from(head + nonce.toString('base64') + tail), '1.3', deps, s);
    outcomes.set(a.outcome, (outcomes.get(a.outcome) ?? 0) + 1);
  }
  return Object.fromEntries(outcomes);
}
