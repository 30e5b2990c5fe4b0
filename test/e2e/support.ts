/** Starting the reference IdP in-process for end-to-end tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type IdpConfig } from '../../packages/idp/src/config.ts';
import type { FaultInjection } from '../../packages/idp/src/faults/injection.ts';
import { silentLogger } from '../../packages/idp/src/log.ts';
import { type RunningIdp, startIdp } from '../../packages/idp/src/server.ts';
import {
  WSTRUST13,
  WSTRUST2005,
  type WsTrustVersion,
} from '../../packages/psso-wstrust/src/protocol/wstrust.ts';

export const URN = 'urn:federation:MicrosoftOnline';
export const SAML2_URN = 'urn:example:saml2-relying-party';

export const CONFIG: IdpConfig = {
  ...DEFAULT_CONFIG,
  relyingParties: [
    { identifier: URN, samlVersion: '1.1' },
    { identifier: SAML2_URN, samlVersion: '2.0' },
  ],
};

const dataDirs: string[] = [];
process.once('exit', () => {
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh data folder (removed when the test process exits). */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'psso-e2e-idp-'));
  dataDirs.push(dir);
  return dir;
}

export interface TestIdp extends RunningIdp {
  readonly password: string;
}

const passwords = new Map<string, string>();
let sharedDir: string | undefined;

/**
 * Starts an IdP on 127.0.0.1:0. Reuses one data folder across calls (keys and the demo user are
 * made once) unless `dataDir` is given.
 */
export async function startTestIdp(
  o: {
    faults?: FaultInjection;
    config?: IdpConfig;
    dataDir?: string;
    redisUrl?: string;
    database?: string;
  } = {},
): Promise<TestIdp> {
  sharedDir ??= tempDataDir();
  const dataDir = o.dataDir ?? sharedDir;
  const idp = await startIdp({
    dataDir,
    config: o.config ?? CONFIG,
    logger: silentLogger,
    ...(o.faults === undefined ? {} : { faults: o.faults }),
    ...(o.redisUrl === undefined ? {} : { redisUrl: o.redisUrl }),
    ...(o.database === undefined ? {} : { database: o.database }),
  });
  if (idp.demoUser.password !== undefined) passwords.set(dataDir, idp.demoUser.password);
  const password = passwords.get(dataDir);
  if (password === undefined) throw new Error('the demo password is unknown for this data folder');
  return Object.assign(idp, { password });
}

/** The endpoint of one version on an IdP. */
export function endpointOf(idp: RunningIdp, version: WsTrustVersion) {
  return version === '1.3'
    ? { version, address: idp.sts13Url, soapAction: WSTRUST13.issueAction }
    : { version, address: idp.sts2005Url, soapAction: WSTRUST2005.issueAction };
}

/** Registers a device (and, optionally, a managed user) in an IdP's data folder. */
export async function enrol(
  dataDir: string,
  keys: {
    signing: { publicKey: import('node:crypto').KeyObject };
    encryption: { publicKey: import('node:crypto').KeyObject };
  },
  user?: { upn: string; password: string },
): Promise<void> {
  const { openIdpState } = await import('../../packages/idp/src/state/open.ts');
  const { publicJwk } = await import('../../packages/psso-wstrust/src/psso/keys/device-keys.ts');
  const store = await openIdpState({ dataDir: dataDir });
  try {
    await store.devices.add(
      'psso',
      publicJwk(keys.signing.publicKey),
      publicJwk(keys.encryption.publicKey),
    );
    if (user !== undefined && (await store.users.get(user.upn)) === undefined)
      await store.users.add(user.upn, user.password);
  } finally {
    await store.close();
  }
}

/** A fresh server nonce from `POST /psso/nonce`. */
export async function serverNonceFrom(idp: RunningIdp): Promise<string> {
  const { httpRequest } = await import('../../packages/psso-wstrust/src/http/request.ts');
  const r = await httpRequest(
    {
      method: 'POST',
      url: `${idp.origin}/psso/nonce`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=srv_challenge',
    },
    { ca: idp.caPem },
  );
  return (JSON.parse(Buffer.from(r.body).toString()) as { Nonce: string }).Nonce;
}
