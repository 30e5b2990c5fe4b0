/**
 * Shared by the SAML issuer tests: base params, a strict DOM parse, and the two independent
 * verifiers — xml-crypto with a pinned certificate (KeyInfo ignored) and the `xmlsec1` command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, type Document, type Element, onErrorStopParsing } from '@xmldom/xmldom';
import fc from 'fast-check';
import { SignedXml } from 'xml-crypto';
import type { AssertionParams } from '../../../packages/idp/src/saml/index.ts';
import { ALG_RSA_SHA256 } from '../../../packages/idp/src/saml/index.ts';
import {
  NS_DSIG,
  NS_SAML1,
  NS_SAML2,
} from '../../../packages/psso-wstrust/src/protocol/namespaces.ts';
import { findInvalidChar } from '../../../packages/psso-wstrust/src/xml/chars.ts';

export const NOW = new Date('2026-11-29T10:00:00.000Z');

/** Params like AD FS's: one hour of validity, UPN and ImmutableID claims. */
export function baseParams(
  samlVersion: '1.1' | '2.0',
  overrides: Partial<AssertionParams> = {},
): AssertionParams {
  return {
    samlVersion,
    id: '_bf137f90-7dd7-4668-8a39-8bf55eb52017',
    issuer: 'https://idp.example.com/adfs/services/trust',
    issueInstant: NOW,
    notBefore: NOW,
    notOnOrAfter: new Date(NOW.getTime() + 3600_000),
    audience: 'urn:federation:MicrosoftOnline',
    subject: 'alice@example.com',
    attributes: [
      {
        name: samlVersion === '1.1' ? 'UPN' : 'http://schemas.xmlsoap.org/claims/UPN',
        namespace: 'http://schemas.xmlsoap.org/claims',
        values: ['alice@example.com'],
      },
      {
        name: samlVersion === '1.1' ? 'ImmutableID' : 'IDPEmail',
        namespace: 'http://schemas.microsoft.com/LiveID/Federation/2008/05',
        values: ['43YRzTrh+Ue8eTecnqLAxQ=='],
      },
    ],
    authnInstant: new Date(NOW.getTime() - 16),
    ...overrides,
  };
}

/** Parses with @xmldom/xmldom, stopping at the first error or warning. */
export function parseStrict(xml: string): Document {
  return new DOMParser({ onError: onErrorStopParsing }).parseFromString(xml, 'text/xml');
}

export function rootOf(xml: string): Element {
  const root = parseStrict(xml).documentElement;
  assert.ok(root);
  return root;
}

/**
 * Verifies with xml-crypto against the pinned certificate only (`getCertFromKeyInfo` returns
 * null, so KeyInfo is never used) and returns the signed references. Throws when it fails.
 */
export function verifyWithXmlCrypto(xml: string, certPem: string, version: '1.1' | '2.0') {
  const signatures = parseStrict(xml).getElementsByTagNameNS(NS_DSIG, 'Signature');
  assert.equal(signatures.length, 1, 'exactly one ds:Signature');
  const verifier = new SignedXml({
    publicCert: certPem,
    getCertFromKeyInfo: () => null,
    ...(version === '1.1' ? { idAttribute: 'AssertionID' } : {}),
  });
  // xml-crypto's types name the DOM's Node; xmldom 0.9's Element is one at run time.
  verifier.loadSignature(signatures[0] as unknown as Parameters<SignedXml['loadSignature']>[0]);
  assert.equal(verifier.signatureAlgorithm, ALG_RSA_SHA256);
  if (!verifier.checkSignature(xml)) throw new Error('xml-crypto: a reference did not validate');
  return verifier.getSignedReferences();
}

/** Whether xml-crypto accepts the document (any exception is a refusal). */
export function xmlCryptoAccepts(xml: string, certPem: string, version: '1.1' | '2.0'): boolean {
  try {
    verifyWithXmlCrypto(xml, certPem, version);
    return true;
  } catch {
    return false;
  }
}

const xmlsecPresent = spawnSync('xmlsec1', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * `{ skip }` for tests that run xmlsec1: skipped with a plain message when it is not installed,
 * except under CI, where the test runs and fails.
 */
export const xmlsecSkip: { skip: string | false } =
  xmlsecPresent || process.env.CI === 'true'
    ? { skip: false }
    : { skip: 'xmlsec1 is not installed (apt-get install xmlsec1): xmlsec1 checks were NOT run' };

let workDir: string | undefined;
let files = 0;

function tempFile(name: string, content: string): string {
  if (workDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'psso-saml-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    workDir = dir;
  }
  const path = join(workDir, `${files++}-${name}`);
  writeFileSync(path, content);
  return path;
}

const certFiles = new Map<string, string>();

/**
 * Runs `xmlsec1 --verify` with the pinned certificate. `--enabled-key-data key-name` stops it from
 * taking a key out of KeyInfo (an X509Certificate or a KeyValue the signer chose): the only key
 * it can use is the one loaded from `--pubkey-cert-pem`. The ID attribute is registered for the
 * Assertion element of the version's namespace.
 */
export function xmlsecVerify(
  xml: string,
  certPem: string,
  version: '1.1' | '2.0',
): { ok: boolean; output: string } {
  if (!xmlsecPresent) assert.fail('xmlsec1 is required (CI=true) but is not installed');
  let cert = certFiles.get(certPem);
  if (cert === undefined) {
    cert = tempFile('cert.pem', certPem);
    certFiles.set(certPem, cert);
  }
  const file = tempFile('assertion.xml', xml);
  const idAttr =
    version === '1.1'
      ? ['--id-attr:AssertionID', `${NS_SAML1}:Assertion`]
      : ['--id-attr:ID', `${NS_SAML2}:Assertion`];
  const r = spawnSync(
    'xmlsec1',
    ['--verify', '--enabled-key-data', 'key-name', '--pubkey-cert-pem', cert, ...idAttr, file],
    { encoding: 'utf8' },
  );
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** Asserts that xmlsec1 verifies the document. */
export function assertXmlsecVerifies(xml: string, certPem: string, version: '1.1' | '2.0'): void {
  const r = xmlsecVerify(xml, certPem, version);
  assert.ok(r.ok, `xmlsec1 refused the assertion:\n${r.output}`);
}

const SPECIALS = [
  '&',
  '<',
  '>',
  '"',
  "'",
  '\t',
  '\r',
  '\n',
  '\r\n',
  ']]>',
  '<!--',
  '-->',
  '&amp;',
  '&#xD;',
  ' ',
  '\u00a0',
  'é',
  'ß',
  '中',
  '😀',
  '👩‍💻',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u0080',
  '\u009f',
  '\ufffd',
  '\ufdd0',
  '\u{10ffff}',
  'x',
];

/** One character (or a short troublesome sequence) XML can carry. */
export const xmlUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: 'binary', minLength: 1, maxLength: 1 })
      .filter((c) => findInvalidChar(c) === -1),
  },
);

/** A string of characters XML can carry, with every character canonicalization escapes. */
export function xmlString(minLength: number, maxLength = 24): fc.Arbitrary<string> {
  return fc.string({ unit: xmlUnit, minLength, maxLength });
}
