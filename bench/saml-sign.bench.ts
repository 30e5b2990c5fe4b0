/**
 * `node --import tsx bench/saml-sign.bench.ts`: signed SAML assertions per second, in one run —
 *
 * - psso-wstrust `issueAssertion` (canonical template, node:crypto hash and RSA signature);
 * - `issueAssertionWithXmlCrypto`: the same unsigned text signed by xml-crypto's `SignedXml`;
 * - the floor: raw `crypto.sign('sha256', 4 KB, RSA-2048)`, the RSA signature alone.
 *
 * Target: `issueAssertion` within 15% of the raw RSA signing time (everything but the RSA
 * operation costs < 15%). `--check` exits 1 when it is missed; `--time MS` sets the time per task
 * (default 2000).
 */
import { randomBytes, sign } from 'node:crypto';
import {
  type AssertionParams,
  issueAssertion,
  issueAssertionWithXmlCrypto,
} from '../packages/idp/src/saml/index.ts';
import { testSigningMaterial } from '../test/helpers/signing.ts';
import { fmt, table, time } from './lib/report.ts';

const args = process.argv.slice(2);
const timeMs = Number(args[args.indexOf('--time') + 1]) || 2000;
const check = args.includes('--check');

const key = await testSigningMaterial();
const now = new Date();
const claims = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';
const params = (samlVersion: '1.1' | '2.0'): AssertionParams => ({
  samlVersion,
  id: '_bf137f90-7dd7-4668-8a39-8bf55eb52017',
  issuer: 'https://idp.example.com/adfs/services/trust',
  issueInstant: now,
  notBefore: now,
  notOnOrAfter: new Date(now.getTime() + 3600_000),
  audience: 'urn:federation:MicrosoftOnline',
  subject: "alice.o'connor+test@example.com",
  recipient: 'https://login.example.com/token',
  attributes: [
    { name: 'UPN', namespace: 'http://schemas.xmlsoap.org/claims', values: ['alice@example.com'] },
    {
      name: 'ImmutableID',
      namespace: 'http://schemas.microsoft.com/LiveID/Federation/2008/05',
      values: ['43YRzTrh+Ue8eTecnqLAxQ=='],
    },
    { name: 'name', namespace: claims, values: ['Alice O\'Connor & <Ops> "Team"'] },
    { name: 'groups', namespace: claims, values: ['Domain Users', 'VPN', 'Café ☕', 'R&D'] },
  ],
  authnInstant: now,
});
const p11 = params('1.1');
const p20 = params('2.0');
const raw = randomBytes(4096);

// Both signers must agree before they are timed (PKCS#1 v1.5 is deterministic).
const signatureValue = (xml: string) => /<ds:SignatureValue>([^<]+)</.exec(xml)?.[1];
for (const p of [p11, p20]) {
  if (
    signatureValue(issueAssertion(p, key)) !== signatureValue(issueAssertionWithXmlCrypto(p, key))
  )
    throw new Error(`SAML ${p.samlVersion}: the two signers disagree`);
}
const size = Buffer.byteLength(issueAssertion(p11, key));

console.log(
  `SAML assertion signing — Node ${process.version}, RSA-2048, ${timeMs} ms per task, median µs/op`,
);
console.log(`signed SAML 1.1 assertion: ${size} B; raw RSA input: ${raw.length} B\n`);

const results = await time(
  [
    ['raw crypto.sign(sha256, 4 KB, RSA-2048)', () => sign('sha256', raw, key.privateKey)],
    ['psso-wstrust issueAssertion (SAML 1.1)', () => issueAssertion(p11, key)],
    ['psso-wstrust issueAssertion (SAML 2.0)', () => issueAssertion(p20, key)],
    ['xml-crypto SignedXml (SAML 1.1)', () => issueAssertionWithXmlCrypto(p11, key)],
    ['xml-crypto SignedXml (SAML 2.0)', () => issueAssertionWithXmlCrypto(p20, key)],
  ],
  timeMs,
);
const [rsa, ...rest] = results;
if (rsa === undefined) throw new Error('no results');

const rows: string[][] = [['task', 'median', 'mean ±rme', 'signatures/s', 'vs raw RSA']];
for (const r of results)
  rows.push([
    r.name,
    fmt(r.p50),
    `${fmt(r.mean)} ±${r.rme.toFixed(1)}%`,
    (1e6 / r.p50).toFixed(0),
    r === rsa ? '—' : `${(r.p50 / rsa.p50).toFixed(3)}×`,
  ]);
console.log(`${table(rows)}\n`);

const ours = rest.filter((r) => r.name.startsWith('psso-wstrust'));
const xmlCrypto = rest.filter((r) => r.name.startsWith('xml-crypto'));
ours.forEach((r, i) => {
  const peer = xmlCrypto[i];
  if (peer !== undefined)
    console.log(`${r.name}: ${(peer.p50 / r.p50).toFixed(2)}× faster than xml-crypto`);
});
const targets = ours.map((r): [string, boolean, string] => [
  `${r.name} within 15% of raw RSA signing`,
  r.p50 <= 1.15 * rsa.p50,
  `${(((r.p50 - rsa.p50) / rsa.p50) * 100).toFixed(1)}% over (${fmt(r.p50 - rsa.p50)} per assertion)`,
]);
for (const [name, ok, detail] of targets)
  console.log(`${ok ? 'PASS' : 'MISS'}  ${name}: ${detail}`);
if (check && targets.some(([, ok]) => !ok)) process.exitCode = 1;
