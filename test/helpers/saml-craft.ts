/**
 * Crafted SAML assertions for tests: the issuer's own canonical assertion with a part rewritten
 * (Conditions, SubjectConfirmationData), then signed properly with xml-crypto — so every refusal a
 * test sees is the validator's rule, not a broken signature.
 */
import { SignedXml } from 'xml-crypto';
import {
  ALG_ENVELOPED_SIGNATURE,
  ALG_EXC_C14N,
  ALG_RSA_SHA256,
  ALG_SHA256,
  canonicalAssertion,
} from '../../packages/idp/src/saml/sign.ts';
import type { AssertionParams } from '../../packages/idp/src/saml/types.ts';
import type { TestSigningMaterial } from './signing.ts';

const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** RSA-SHA1 and the SHA-1 digest, as AD FS relying party trusts set to SHA-1 sign. */
export const SHA1_ALGORITHMS = {
  signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
} as const;

/**
 * Signs `xml` (a standalone SAML 1.1 or 2.0 assertion) as the IdP signs its own (RSA-SHA256),
 * or with other `algorithms` (e.g. {@link SHA1_ALGORITHMS}).
 */
export function signAssertionXml(
  xml: string,
  version: '1.1' | '2.0',
  key: TestSigningMaterial,
  algorithms: { signature: string; digest: string } = {
    signature: ALG_RSA_SHA256,
    digest: ALG_SHA256,
  },
): string {
  const signed = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificatePem,
    signatureAlgorithm: algorithms.signature,
    canonicalizationAlgorithm: ALG_EXC_C14N,
    ...(version === '1.1' ? { idAttribute: 'AssertionID' } : {}),
  });
  signed.addReference({
    xpath: '/*',
    transforms: [ALG_ENVELOPED_SIGNATURE, ALG_EXC_C14N],
    digestAlgorithm: algorithms.digest,
  });
  signed.computeSignature(xml, {
    prefix: 'ds',
    location:
      version === '1.1'
        ? { reference: '/*', action: 'append' }
        : { reference: "/*/*[local-name()='Issuer']", action: 'after' },
  });
  return signed.getSignedXml();
}

/**
 * The assertion `params` describe, its Conditions content replaced by `conditions` (elements
 * written with the `saml:` prefix for 1.1 and `saml2:` for 2.0, and `xsi:` declared), signed.
 */
export function withConditions(
  params: AssertionParams,
  conditions: string,
  key: TestSigningMaterial,
): string {
  const prefix = params.samlVersion === '1.1' ? 'saml' : 'saml2';
  const unsigned = canonicalAssertion(params).replace(
    new RegExp(`(<${prefix}:Conditions [^>]*)>[\\s\\S]*?(</${prefix}:Conditions>)`),
    (_m, open: string, close: string) => `${open} xmlns:xsi="${NS_XSI}">${conditions}${close}`,
  );
  return signAssertionXml(unsigned, params.samlVersion, key);
}

/** The assertion `params` describe, with `edit` applied to its canonical text, signed. */
export function editedAssertion(
  params: AssertionParams,
  edit: (xml: string) => string,
  key: TestSigningMaterial,
): string {
  return signAssertionXml(edit(canonicalAssertion(params)), params.samlVersion, key);
}
