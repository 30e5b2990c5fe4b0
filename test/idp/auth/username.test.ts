import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requestSource } from '../../../packages/idp/src/auth/source.ts';
import {
  canonicalDomain,
  canonicalUsername,
  isUpnShaped,
} from '../../../packages/idp/src/auth/username.ts';
import { inDomains } from '../../../packages/idp/src/realm.ts';

const NFC = 'bücher.example';
const NFD = NFC.normalize('NFD');

describe('canonicalUsername', () => {
  test('NFD, NFC, upper case and A-label spellings of one domain are one domain', () => {
    assert.notEqual(NFC, NFD);
    const want = 'eve@xn--bcher-kva.example';
    for (const name of [
      `eve@${NFC}`,
      `eve@${NFD}`,
      'EVE@XN--BCHER-KVA.EXAMPLE',
      `Eve@BÜCHER.example`,
    ])
      assert.equal(canonicalUsername(name), want, name);
  });
  test('the local part is NFC and case-folded (ß is ss); the last @ splits', () => {
    assert.equal(canonicalUsername('Ame\u0301lie@X.com'), 'amélie@x.com');
    assert.equal(canonicalUsername('STRASSE@x.com'), canonicalUsername('straße@x.com'));
    assert.equal(canonicalUsername('"a@b"@Example.COM'), '"a@b"@example.com');
    assert.equal(canonicalUsername('NoDomain'), 'nodomain');
  });
  test('a domain IDNA refuses never equals a valid one', () => {
    assert.equal(canonicalDomain('bad domain'), 'bad domain');
    assert.throws(() => canonicalUsername(1 as unknown as string), TypeError);
  });
});

describe('inDomains (federated/managed tests)', () => {
  test('NFD spelling of a federated domain is federated', () => {
    for (const name of [`eve@${NFC}`, `eve@${NFD}`, 'eve@xn--bcher-kva.example'])
      assert.equal(inDomains(name, [NFC]), true, name);
    assert.equal(inDomains(`eve@${NFD}`, ['xn--bcher-kva.example']), true);
    assert.equal(inDomains('eve@other.example', [NFC]), false);
    assert.equal(inDomains('eve', [NFC]), false);
  });
});

describe('isUpnShaped', () => {
  test('local@domain with a dot, nothing else', () => {
    for (const ok of ['alice@example.com', `zoë@${NFD}`, 'a.b+c@sub.example.org'])
      assert.equal(isUpnShaped(ok), true, ok);
    for (const bad of [
      'alice',
      'alice@',
      '@example.com',
      'alice@localhost',
      'a@b..c',
      'a b@x.com',
      'a@.x.com',
    ])
      assert.equal(isUpnShaped(bad), false, bad);
  });
});

describe('requestSource', () => {
  test('IPv4-mapped IPv6 is unwrapped; IPv6 counts per /64; junk is unknown', () => {
    assert.equal(requestSource('::ffff:127.0.0.2'), '127.0.0.2');
    assert.equal(requestSource('127.0.0.1'), '127.0.0.1');
    assert.equal(requestSource('::1'), '::1');
    assert.equal(requestSource('2001:db8:0:1:a:b:c:d'), '2001:db8:0:1::/64');
    assert.equal(requestSource('2001:DB8:0:1::ffff'), '2001:db8:0:1::/64');
    assert.equal(requestSource('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(requestSource(undefined), 'unknown');
    assert.equal(requestSource('x-forwarded-for: 1.2.3.4'), 'unknown');
  });
});
