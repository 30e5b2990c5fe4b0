/**
 * Pins the runtime names of every workspace entry besides `psso-wstrust` (test/exports.test.ts)
 * and `psso-wstrust/psso` (test/exports-psso.test.ts): the subpaths the IdP and the CLI build on
 * are public on purpose, so a new name is added here on purpose. Also checks the client package's
 * runtime dependencies: exactly the allowed list, and no client source imports a server-only
 * module.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ENTRIES: Record<string, string[]> = {
  'psso-wstrust/check': [
    'buildReport',
    'fromHar',
    'grade',
    'rawFromRecorded',
    'redact',
    'redactRule',
    'renderHtml',
    'renderText',
    'reportFails',
    'runCheck',
    'toHar',
  ],
  'psso-wstrust/http': [
    'DEFAULT_MAX_REDIRECTS',
    'DEFAULT_MAX_RESPONSE_BYTES',
    'DEFAULT_TIMEOUT_MS',
    'checkUrl',
    'closeHttpAgents',
    'httpRequest',
    'isLoopback',
    'sendHttpRequest',
  ],
  'psso-wstrust/jose': [
    'EMBEDDED_APV_PREFIX',
    'EMBEDDED_ASSERTION_TYP',
    'ENCRYPTED_ASSERTION_TYP',
    'HPKE_SUITES',
    'MAX_ASSERTION_PASSWORD_BYTES',
    'MAX_HPKE_INFO_BYTES',
    'MIN_RSA_BITS',
    'assertionAlgorithm',
    'encryptHpkeResponse',
    'encryptLoginResponse',
    'hpkeCipherSuite',
    'hpkeKeyId',
    'hpkeKeyType',
    'isHpkeSuite',
    'keyId',
    'parseEmbeddedApv',
    'x963',
  ],
  'psso-wstrust/protocol': [
    'BASE64_BINARY',
    'NS_DSIG',
    'NS_MS_HTTP_POLICY',
    'NS_SAML1',
    'NS_SAML2',
    'NS_SOAP11',
    'NS_SOAP12',
    'NS_SP13',
    'NS_SP2005',
    'NS_WSA',
    'NS_WSDL',
    'NS_WSDL_SOAP12',
    'NS_WSP',
    'NS_WSSE',
    'NS_WSSE11',
    'NS_WST2005',
    'NS_WSU',
    'PASSWORD_DIGEST',
    'PASSWORD_TEXT',
    'SAML2_ASSERTION_ID_VALUE_TYPE',
    'SAML_ASSERTION_ID_VALUE_TYPE',
    'SOAP11_CONTENT_TYPE',
    'SOAP12_CONTENT_TYPE',
    'SOAP_HTTP_TRANSPORT',
    'TOKEN_TYPE',
    'WSA_FAULT_ACTION',
    'WSTRUST13',
    'WSTRUST2005',
    'formatDateTime',
    'parseDateTime',
    'wsTrustConstants',
  ],
  'psso-wstrust/saml': [
    'evaluateSamlBearerRules',
    'inspectAssertion',
    'sha256RemediationText',
    'validateSamlBearer',
  ],
  'psso-wstrust/soap': ['readSoapEnvelope'],
  'psso-wstrust/wstrust': ['readSecurityTokenResponse'],
  'psso-wstrust/xml': [
    'DEFAULT_XML_LIMITS',
    'attribute',
    'childElements',
    'descendants',
    'escapeAttribute',
    'escapeText',
    'findInvalidChar',
    'firstChild',
    'isNcName',
    'lookupNamespace',
    'parseXml',
    'path',
    'rawXml',
    'resolveQName',
    'textOf',
  ],
  'psso-wstrust-idp': [
    'DEFAULT_CONFIG',
    'DEFAULT_FAIR_QUEUE_LIMITS',
    'FairQueue',
    'IdpBusyError',
    'PasswordCheck',
    'STS_PATHS',
    'UNKNOWN_SOURCE',
    'canonicalDomain',
    'canonicalUsername',
    'checkConfig',
    'defaultDataDir',
    'exportIdpKeys',
    'idpEndpoints',
    'importIdpKeys',
    'isUpnShaped',
    'jsonLogger',
    'loadConfig',
    'loadOrCreatePki',
    'mexDocument',
    'openIdpState',
    'parseFaultSwitches',
    'parseKeyBundle',
    'requestSource',
    'serializeKeyBundle',
    'silentLogger',
    'startIdp',
    'userRealm',
  ],
  'psso-wstrust-idp/admin': [
    'DEMO_UPN',
    'FAULT_SWITCHES',
    'MAX_KEY_BUNDLE_BYTES',
    'RedisLockoutStore',
    'canonicalTlsName',
    'createFileOnce',
    'defaultDataDir',
    'forkWorkers',
    'idpEndpoints',
    'isIdpWorker',
    'isPostgresUrl',
    'parseFaultSwitches',
    'parsePublicUrl',
    'pkiOptionsFor',
    'prepareDataDir',
    'probePort',
    'pssoConfiguration',
    'readSavedPort',
    'redactDatabaseUrl',
    'reportReady',
    'requireUpn',
    'savePort',
    'serializeKeyBundle',
    'summarizeKeys',
    'validateUpn',
  ],
};

for (const [specifier, names] of Object.entries(ENTRIES))
  test(`export leak: ${specifier} exports exactly its pinned names`, async () => {
    const entry = (await import(specifier)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(entry).sort(), [...names].sort());
  });

const CLIENT = fileURLToPath(new URL('../packages/psso-wstrust/', import.meta.url));
// HPKE (@hpke/*) is the JOSE of Platform SSO 2.0; @xmldom/xmldom is the DOM xml-crypto signs and
// verifies on (saml/verify.ts hands it the assertion).
const ALLOWED = [
  '@hpke/chacha20poly1305',
  '@hpke/core',
  '@hpke/dhkem-x25519',
  '@xmldom/xmldom',
  'jose',
  'undici',
  'xml-crypto',
];
const SERVER_ONLY =
  /from '(fastify|better-sqlite3|ioredis|pg|@peculiar\/x509|reflect-metadata|commander|picocolors|psso-wstrust-idp|psso-wstrust-cli)[/']|import\('(fastify|better-sqlite3|ioredis|pg|@peculiar\/x509|reflect-metadata|commander)'\)/;

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(path);
    else if (e.name.endsWith('.ts')) yield path;
  }
}

test('the client package depends on exactly the allowed runtime packages', () => {
  const manifest = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  assert.deepEqual(Object.keys(manifest.dependencies ?? {}).sort(), ALLOWED);
  assert.equal(manifest.peerDependencies, undefined);
  assert.equal(manifest.optionalDependencies, undefined);
});

test('no client source imports a server-only module', () => {
  const hits = [...tsFiles(join(CLIENT, 'src'))].filter((f) =>
    SERVER_ONLY.test(readFileSync(f, 'utf8')),
  );
  assert.deepEqual(hits, []);
});
