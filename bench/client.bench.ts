/**
 * `npm run bench`: the WS-Trust client against two peers, in one run, on the same documents.
 *
 * - MEX endpoint selection on microsoft.mex.xml (~53 KB): psso-wstrust `parseMex` (whole strict
 *   parse + selection), adal-node 0.2.4 (`lib/mex.js`, xmldom + xpath), and MSAL for Python
 *   (`msal.mex.Mex(doc).get_wstrust_username_password_endpoint()`, C expat, timed in its process).
 * - Response processing on adfs-13-naturalcauses.rstr.xml: psso-wstrust
 *   `processSecurityTokenResponse` on the recorded response (full validation, injected clock) and adal-node
 *   (`lib/wstrust-response.js`). MSAL-Py's `parse_response` is shown for reference only: it reads
 *   the response with regular expressions, no XML parse, no validation.
 *
 * Targets (issue #2): MEX selection ≤ 0.5× MSAL-Py's time and ≥ 10× faster than adal-node;
 * response processing ≥ 10× faster than adal-node. `--check` exits 1 when a target is missed.
 * `--time MS` sets the time per task (default 2000).
 */
import { readFileSync } from 'node:fs';
import { parseMex } from '../packages/psso-wstrust/src/mex/parse.ts';
import { processSecurityTokenResponse } from '../packages/psso-wstrust/src/wstrust/exchange.ts';
import { interopPath } from '../test/helpers/interop.ts';
import { fmt, table, time } from './lib/report.ts';
import { ADAL_NODE_VERSION, adalProcessRstr, adalSelectMex } from './peers/adal.ts';
import { runMsalPy } from './peers/msal.ts';

const args = process.argv.slice(2);
const timeMs = Number(args[args.indexOf('--time') + 1]) || 2000;
const check = args.includes('--check');
const mexFile = interopPath('mex/microsoft.mex.xml');
const rstrFile = interopPath('rstr/adfs-13-naturalcauses.rstr.xml');
const mexBytes = readFileSync(mexFile);
const mexText = mexBytes.toString('utf8');
const rstrBytes = readFileSync(rstrFile);
const rstrText = rstrBytes.toString('utf8');
const rstrResponse = {
  status: 200,
  headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
  body: new Uint8Array(rstrBytes),
};
const now = new Date('2014-01-27T08:16:00Z');

// Every implementation must give the right answer before it is timed.
const ours = parseMex(mexText).usernamePassword[0];
const adal = adalSelectMex(mexText);
if (ours?.address !== adal.url || ours.version !== adal.version)
  throw new Error('MEX selection disagrees with adal-node');
const token = processSecurityTokenResponse(rstrResponse, { version: '1.3', now });
if (adalProcessRstr(rstrText).tokenType !== token.tokenType)
  throw new Error('TokenType disagrees with adal-node');

console.log(
  `psso-wstrust client benchmark — Node ${process.version}, ${timeMs} ms per task, median µs/op`,
);
console.log(`documents: ${mexFile} (${mexBytes.length} B), ${rstrFile} (${rstrBytes.length} B)\n`);

process.stdout.write('MSAL for Python (own process)… ');
const msal = runMsalPy({ mexFile, rstrFile, minTimeSec: timeMs / 1000 });
console.log(
  msal.available
    ? `msal ${msal.version}, Python ${msal.pythonVersion}`
    : `unavailable: ${msal.reason}`,
);
if (msal.available && msal.endpoint !== ours.address)
  throw new Error('MEX selection disagrees with MSAL-Py');

const [mexString, mexBuffer, mexAdal, rstrOurs, rstrAdal] = (await time(
  [
    ['psso-wstrust parseMex (string)', () => parseMex(mexText)],
    ['psso-wstrust parseMex (bytes)', () => parseMex(mexBytes)],
    [`adal-node ${ADAL_NODE_VERSION} mex`, () => adalSelectMex(mexText)],
    [
      'psso-wstrust processSecurityTokenResponse',
      () => processSecurityTokenResponse(rstrResponse, { version: '1.3', now }),
    ],
    [`adal-node ${ADAL_NODE_VERSION} wstrust-response`, () => adalProcessRstr(rstrText)],
  ],
  timeMs,
)) as [
  import('./lib/report.ts').Timing,
  import('./lib/report.ts').Timing,
  import('./lib/report.ts').Timing,
  import('./lib/report.ts').Timing,
  import('./lib/report.ts').Timing,
];

const rows: string[][] = [
  ['operation', 'implementation', 'median', 'mean ±rme', 'vs psso-wstrust'],
];
const vs = (peer: number, oursUs: number) => `${(peer / oursUs).toFixed(2)}× slower`;
rows.push([
  'MEX selection',
  mexString.name,
  fmt(mexString.p50),
  `${fmt(mexString.mean)} ±${mexString.rme.toFixed(1)}%`,
  '—',
]);
rows.push([
  'MEX selection',
  mexBuffer.name,
  fmt(mexBuffer.p50),
  `${fmt(mexBuffer.mean)} ±${mexBuffer.rme.toFixed(1)}%`,
  '—',
]);
if (msal.available)
  rows.push([
    'MEX selection',
    `MSAL-Py ${msal.version}`,
    fmt(msal.mexUsPerOp),
    '(median of rounds)',
    vs(msal.mexUsPerOp, mexString.p50),
  ]);
rows.push([
  'MEX selection',
  mexAdal.name,
  fmt(mexAdal.p50),
  `${fmt(mexAdal.mean)} ±${mexAdal.rme.toFixed(1)}%`,
  vs(mexAdal.p50, mexString.p50),
]);
rows.push([
  'RSTR processing',
  rstrOurs.name,
  fmt(rstrOurs.p50),
  `${fmt(rstrOurs.mean)} ±${rstrOurs.rme.toFixed(1)}%`,
  '—',
]);
rows.push([
  'RSTR processing',
  rstrAdal.name,
  fmt(rstrAdal.p50),
  `${fmt(rstrAdal.mean)} ±${rstrAdal.rme.toFixed(1)}%`,
  vs(rstrAdal.p50, rstrOurs.p50),
]);
if (msal.available && msal.rstrUsPerOp !== null) {
  rows.push([
    'RSTR processing',
    `MSAL-Py ${msal.version} (regex, no XML parse: reference only)`,
    fmt(msal.rstrUsPerOp),
    '(median of rounds)',
    '',
  ]);
}
console.log(`\n${table(rows)}\n`);

const targets: Array<[string, boolean, string]> = [
  [
    'MEX selection ≤ 0.5× MSAL-Py',
    msal.available && mexString.p50 <= 0.5 * msal.mexUsPerOp,
    msal.available
      ? `${(mexString.p50 / msal.mexUsPerOp).toFixed(2)}× MSAL-Py's time`
      : 'MSAL-Py unavailable',
  ],
  [
    'MEX selection ≥ 10× faster than adal-node',
    mexAdal.p50 >= 10 * mexString.p50,
    `${(mexAdal.p50 / mexString.p50).toFixed(1)}× faster`,
  ],
  [
    'RSTR processing ≥ 10× faster than adal-node',
    rstrAdal.p50 >= 10 * rstrOurs.p50,
    `${(rstrAdal.p50 / rstrOurs.p50).toFixed(1)}× faster`,
  ],
];
for (const [name, ok, detail] of targets)
  console.log(`${ok ? 'PASS' : 'MISS'}  ${name}: ${detail}`);
if (check && targets.some(([, ok]) => !ok)) process.exitCode = 1;
