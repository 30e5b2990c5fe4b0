import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as entry from '../packages/psso-wstrust/src/index.ts';

// The package entry's runtime exports, exactly: a new export must be added here on purpose, and
// an internal one leaking through (as `sanitizePeerText` once did via `export *`) fails the test.
const PUBLIC_API = [
  'CheckError',
  'ConfigError',
  'DEFAULT_CLOCK_SKEW_SECONDS',
  'GRANT_TYPE',
  'HttpError',
  'IdpError',
  'IdpRequestError',
  'LoginError',
  'MexError',
  'PredicateError',
  'PssoError',
  'RstError',
  'SamlError',
  'TOKEN_TYPE',
  'WSTRUST13',
  'WSTRUST2005',
  'WsTrustError',
  'WsTrustFaultError',
  'XmlError',
  'buildRequestSecurityToken',
  'closeHttpAgents',
  'commandDeadline',
  'formatExchange',
  'grantTypeForTokenType',
  'samlGrantType',
  'parseMex',
  'peerText',
  'mexRequest',
  'processMexResponse',
  'processSecurityTokenResponse',
  'securityTokenRequest',
  'withCommandSignal',
  'wsTrustLogin',
];

test('export leak: the package entry exports exactly the public API, nothing internal', () => {
  assert.deepEqual(Object.keys(entry).sort(), [...PUBLIC_API].sort());
  assert.equal('sanitizePeerText' in entry, false);
});

test('closeHttpAgents is exported, a function, and safe to call with no agents open', async () => {
  assert.equal(typeof entry.closeHttpAgents, 'function');
  await entry.closeHttpAgents();
});
