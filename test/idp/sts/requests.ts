/** RSTs as a client would send them, and a way to hand one to the STS pipeline with the fakes. */
import { handleRst } from '../../../src/idp/sts/handle.ts';
import { WSTRUST13, WSTRUST2005, type WsTrustVersion } from '../../../src/protocol/wstrust.ts';
import { buildRequestSecurityToken, type RequestProfile } from '../../../src/wstrust/rst.ts';
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
