import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { XmlError } from '../../packages/psso-wstrust/src/errors.ts';
import { parseMex } from '../../packages/psso-wstrust/src/mex/parse.ts';
import { readInterop } from '../helpers/interop.ts';

// Expected choices, from the corpus's SOURCES.md.
const EXPECTED: ReadonlyArray<readonly [string, '1.3' | '2005', string]> = [
  [
    'archan.us.mex.xml',
    '1.3',
    'https://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed',
  ],
  ['arupela.mex.xml', '1.3', 'https://fs.arupela.com/adfs/services/trust/13/usernamemixed'],
  [
    'common.mex.xml',
    '1.3',
    'https://adfs.federatedtenant.com/adfs/services/trust/13/usernamemixed',
  ],
  [
    'microsoft.mex.xml',
    '1.3',
    'https://corp.sts.microsoft.com/adfs/services/trust/13/usernamemixed',
  ],
  [
    'msft-sts.mex.xml',
    '1.3',
    'https://msft.sts.microsoft.com/adfs/services/trust/13/usernamemixed',
  ],
  ['usystech.mex.xml', '2005', 'https://sts.usystech.net/adfs/services/trust/2005/usernamemixed'],
  [
    'address.insecure.xml',
    '2005',
    'https://arvmserver2012.archan.us/adfs/services/trust/2005/usernamemixed',
  ],
  ['noaddress.xml', '1.3', 'https://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed'],
  [
    'nobinding.port.xml',
    '1.3',
    'https://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed',
  ],
  [
    'noname.binding.xml',
    '1.3',
    'https://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed',
  ],
  [
    'nosoapaction.xml',
    '1.3',
    'https://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed',
  ],
  [
    'nosoaptransport.xml',
    '1.3',
    'https://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed',
  ],
  ['nouri.ref.xml', '1.3', 'https://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed'],
];

const ACTION = {
  '1.3': 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue',
  '2005': 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue',
} as const;

describe('MEX interop corpus (real AD FS documents)', () => {
  for (const [file, version, address] of EXPECTED) {
    test(`${file} selects ${version} ${address}`, () => {
      const mex = parseMex(readInterop(`mex/${file}`));
      assert.deepEqual(mex.usernamePassword[0], { version, address, soapAction: ACTION[version] });
      for (const e of mex.usernamePassword) assert.match(e.address, /^https:\/\/\S+$/);
      assert.ok(
        mex.usernamePassword.every(
          (e) => !e.address.includes('/2005/username') || e.address.endsWith('mixed'),
        ),
      );
    });
  }

  test('usystech.mex.xml: BOM, padded addresses, never the http message-security 2005/username port', () => {
    const mex = parseMex(readInterop('mex/usystech.mex.xml'));
    assert.deepEqual(
      mex.usernamePassword.map((e) => e.address),
      ['https://sts.usystech.net/adfs/services/trust/2005/usernamemixed'],
    );
    assert.ok(mex.windowsIntegrated.length >= 1);
  });

  test('archan.us.mex.xml lists 1.3 then the 2005 fallback, and the Windows-integrated endpoints', () => {
    const mex = parseMex(readInterop('mex/archan.us.mex.xml'));
    assert.deepEqual(
      mex.usernamePassword.map((e) => e.version),
      ['1.3', '2005'],
    );
    assert.ok(mex.windowsIntegrated.every((e) => e.address.includes('windowstransport')));
    assert.equal(mex.windowsIntegrated.length, 2);
  });

  test('address.insecure.xml reports the refused http 1.3 endpoint', () => {
    const mex = parseMex(readInterop('mex/address.insecure.xml'));
    assert.deepEqual(mex.skipped, [
      {
        version: '1.3',
        address: 'http://arvmserver2012.archan.us/adfs/services/trust/13/usernamemixed',
        reason: 'insecure-address',
      },
    ]);
  });

  for (const [file, line, column] of [
    ['syntax.notrelated.mex.xml', 43, 29],
    ['syntax.related.mex.xml', 912, 13],
  ] as const) {
    test(`${file} is refused with a parse error carrying line and column`, () => {
      assert.throws(
        () => parseMex(readInterop(`mex/${file}`)),
        (e) =>
          e instanceof XmlError &&
          e.code === 'PSSO_ERR_XML_MALFORMED' &&
          e.line === line &&
          e.column === column,
      );
    });
  }
});
