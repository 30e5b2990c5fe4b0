import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printStartInfo, startInfo } from '../../packages/cli/src/idp-banner.ts';
import { idpEndpoints } from '../../packages/idp/src/endpoints.ts';

const info = (tlsGenerated: boolean) =>
  startInfo({
    caFile: '/d/ca.pem',
    signingCertFile: '/d/signing-cert.pem',
    adminTokenFile: '/d/admin-token',
    dataDir: '/d',
    demoUser: { upn: 'demo@federated.example', password: undefined },
    origin: 'https://idp.example.test',
    port: 8443,
    endpoints: idpEndpoints('https://idp.example.test'),
    tlsCertFile: tlsGenerated ? '/d/tls-cert.pem' : '/etc/ssl/idp.pem',
    tlsGenerated,
    caReplaced: !tlsGenerated,
  });

function capture(fn: () => void): string {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string) => {
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test('the start banner lists every endpoint, the Platform SSO ones included, and the files', () => {
  const text = capture(() => printStartInfo(info(true), false));
  for (const url of Object.values(idpEndpoints('https://idp.example.test')))
    assert.ok(text.includes(url), url);
  for (const label of [
    'Platform SSO nonce',
    'Platform SSO token',
    'Platform SSO JWKS',
    'device registration',
    'health',
    'metrics',
  ])
    assert.ok(text.includes(label), label);
  for (const file of ['/d/ca.pem', '/d/signing-cert.pem', '/d/admin-token'])
    assert.ok(text.includes(file));
  assert.ok(!text.includes('WARNING'));
});

test('the --json start line keeps the old keys and adds endpoints; a bring-your-own certificate and a new CA are said', () => {
  const line = capture(() => printStartInfo(info(false), true));
  assert.equal(line.split('\n').length, 2);
  const json = JSON.parse(line) as Record<string, unknown>;
  for (const key of [
    'mexUrl',
    'realmUrl',
    'sts13Url',
    'sts2005Url',
    'caFile',
    'signingCertFile',
    'adminTokenFile',
    'dataDir',
    'demoUser',
    'endpoints',
    'origin',
    'port',
    'tlsCertFile',
  ])
    assert.ok(key in json, key);
  assert.equal(json.mexUrl, 'https://idp.example.test/adfs/services/trust/mex');
  const text = capture(() => printStartInfo(info(false), false));
  assert.match(text, /TLS certificate: +\/etc\/ssl\/idp\.pem/);
  assert.match(text, /WARNING: a new local CA was made/);
  assert.ok(!text.includes('--ca /d/ca.pem'));
});
