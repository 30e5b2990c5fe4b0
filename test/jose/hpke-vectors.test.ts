/**
 * Known-answer tests of the three Platform SSO HPKE suites (docs/PLATFORM-SSO.md §3.7) through
 * `@hpke/core`, with published vectors vendored in test/fixtures/hpke (see SOURCES.md):
 * - `HPKE-X25519-SHA256-ChaCha20Poly1305`: RFC 9180 Appendix A.2, the exact suite, Base, PSK,
 *   Auth and AuthPSK;
 * - `HPKE-P256-SHA256-A256GCM`: RFC 9180 prints no P-256 + AES-256-GCM vector; Appendix A.3 (same
 *   KEM and KDF, AES-128-GCM) checks DHKEM(P-256, HKDF-SHA256) and the HKDF-SHA256 key schedule in
 *   all four modes, through the suite's own KEM and KDF objects;
 * - `HPKE-P384-SHA384-A256GCM`: RFC 9180 has no P-384 vector at all; an independent
 *   implementation's vector (pyhpke, checked with filippo.io/hpke) is opened, Base mode.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Aes128Gcm, CipherSuite } from '@hpke/core';
import {
  HPKE_SUITES,
  type HpkeSuiteName,
  hpkeCipherSuite,
} from '../../packages/psso-wstrust/src/jose/hpke/suites.ts';

interface Vector {
  section: string;
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmR: string;
  ikmS?: string;
  ikmE: string;
  psk?: string;
  psk_id?: string;
  pkRm: string;
  pkSm?: string;
  enc: string;
  shared_secret: string;
  encryptions: { aad: string; ct: string; pt: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/hpke/${name}`, import.meta.url), 'utf8'));
const hex = (s: string) => Buffer.from(s, 'hex');
const toHex = (b: ArrayBuffer | Uint8Array) => Buffer.from(new Uint8Array(b)).toString('hex');
const MODES = ['Base', 'PSK', 'Auth', 'AuthPSK'];

function suiteOf(v: { kem_id: number; kdf_id: number; aead_id: number }): HpkeSuiteName {
  const name = HPKE_SUITES.find((s) => {
    const { ids } = hpkeCipherSuite(s);
    return ids.kem === v.kem_id && ids.kdf === v.kdf_id && ids.aead === v.aead_id;
  });
  assert.ok(name, `no suite for ${v.kem_id}/${v.kdf_id}/${v.aead_id}`);
  return name;
}

/** The suite under test for a vector: ours, or (A.3) ours with the vector's AEAD. */
function suiteFor(v: Vector): { name: HpkeSuiteName; suite: CipherSuite } {
  if (v.aead_id !== 0x0001) {
    const name = suiteOf(v);
    return { name, suite: hpkeCipherSuite(name).suite };
  }
  const name = suiteOf({ ...v, aead_id: 0x0002 });
  const { kem, kdf } = hpkeCipherSuite(name).suite;
  return { name, suite: new CipherSuite({ kem, kdf, aead: new Aes128Gcm() }) };
}

async function checkVector(suite: CipherSuite, v: Vector): Promise<void> {
  const recipient = await suite.kem.deriveKeyPair(hex(v.ikmR));
  assert.equal(toHex(await suite.kem.serializePublicKey(recipient.publicKey)), v.pkRm);
  const sender = v.ikmS === undefined ? undefined : await suite.kem.deriveKeyPair(hex(v.ikmS));
  if (sender !== undefined)
    assert.equal(toHex(await suite.kem.serializePublicKey(sender.publicKey)), v.pkSm);
  const psk =
    v.psk === undefined || v.psk_id === undefined
      ? {}
      : { psk: { key: hex(v.psk), id: hex(v.psk_id) } };
  const info = hex(v.info);
  // Sender: the vector's ephemeral key (ikmE) must give the vector's enc and ciphertext.
  const ekm = await suite.kem.deriveKeyPair(hex(v.ikmE));
  const s = await suite.createSenderContext({
    recipientPublicKey: recipient.publicKey,
    info,
    ekm,
    ...psk,
    ...(sender === undefined ? {} : { senderKey: sender }),
  });
  assert.equal(toHex(s.enc), v.enc, 'enc');
  const e = v.encryptions[0];
  assert.ok(e);
  assert.equal(toHex(await s.seal(hex(e.pt), hex(e.aad))), e.ct, 'ciphertext');
  // The KEM's shared secret, then the recipient opens the vector's ciphertext.
  const shared = await suite.kem.decap({
    enc: hex(v.enc),
    recipientKey: recipient,
    ...(sender === undefined ? {} : { senderPublicKey: sender.publicKey }),
  });
  assert.equal(toHex(shared), v.shared_secret, 'shared_secret');
  const r = await suite.createRecipientContext({
    recipientKey: recipient,
    enc: hex(v.enc),
    info,
    ...psk,
    ...(sender === undefined ? {} : { senderPublicKey: sender.publicKey }),
  });
  assert.equal(toHex(await r.open(hex(e.ct), hex(e.aad))), e.pt, 'plaintext');
  const x = v.exports[0];
  assert.ok(x);
  assert.equal(toHex(await r.export(hex(x.exporter_context), x.L)), x.exported_value);
}

describe('RFC 9180 Appendix A test vectors', () => {
  const vectors = fixture('rfc9180-vectors.json') as Vector[];
  for (const v of vectors) {
    const { name, suite } = suiteFor(v);
    const what = v.aead_id === 0x0001 ? ' (KEM + KDF; the vector uses AES-128-GCM)' : '';
    test(`${name} ${MODES[v.mode]} mode, RFC 9180 ${v.section}${what}`, async () => {
      await checkVector(suite, v);
    });
  }

  test('every mode of the P-256 and X25519 suites is covered', () => {
    for (const name of ['HPKE-P256-SHA256-A256GCM', 'HPKE-X25519-SHA256-ChaCha20Poly1305']) {
      const modes = vectors.filter((v) => suiteFor(v).name === name).map((v) => v.mode);
      assert.deepEqual(modes.sort(), [0, 1, 2, 3]);
    }
  });
});

describe('HPKE-P384-SHA384-A256GCM (no RFC 9180 vector: pyhpke vector, Base mode)', () => {
  const [v] = fixture('p384-pyhpke-vector.json') as {
    ikmR: string;
    skR: string;
    pkR: string;
    enc: string;
    info: string;
    kem_id: number;
    kdf_id: number;
    aead_id: number;
    encryptions: { aad: string; ciphertext: string; plaintext: string }[];
  }[];
  assert.ok(v);
  test('derives the key pair from ikmR and opens the ciphertext', async () => {
    assert.equal(suiteOf(v), 'HPKE-P384-SHA384-A256GCM');
    const { suite } = hpkeCipherSuite('HPKE-P384-SHA384-A256GCM');
    const recipient = await suite.kem.deriveKeyPair(hex(v.ikmR));
    assert.equal(toHex(await suite.kem.serializePublicKey(recipient.publicKey)), v.pkR);
    assert.equal(toHex(await suite.kem.serializePrivateKey(recipient.privateKey)), v.skR);
    const e = v.encryptions[0];
    assert.ok(e);
    const pt = await suite.open(
      { recipientKey: recipient, enc: hex(v.enc), info: hex(v.info) },
      hex(e.ciphertext),
      hex(e.aad),
    );
    assert.equal(toHex(pt), e.plaintext);
  });
});
