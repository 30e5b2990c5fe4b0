/**
 * Checks of {@link AssertionParams} shared by the SAML 1.1 and 2.0 templates. Misuse is a
 * `TypeError` naming the field, never echoing its value.
 *
 * @module
 */
import type { SamlVersion } from 'psso-wstrust';
import { isNcName } from 'psso-wstrust/xml';
import type { AssertionParams, SamlAttribute } from './types.js';

/** NameIdentifier / NameID Format used when `nameIdFormat` is not given. */
export const DEFAULT_NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/**
 * Formats an instant as `YYYY-MM-DDTHH:MM:SS.sssZ` (xsd:dateTime in UTC, milliseconds).
 *
 * @example
 * ```ts
 * instant(new Date(0), 'issueInstant'); // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function instant(value: unknown, what: string): string {
  if (!(value instanceof Date)) throw new TypeError(`${what} must be a Date`);
  const ms = value.getTime();
  if (!Number.isFinite(ms)) throw new TypeError(`${what} is an invalid Date`);
  const year = value.getUTCFullYear();
  // toISOString() writes years outside 0000..9999 with a sign and six digits; xsd:dateTime 1.0
  // has no year 0000.
  if (year < 1 || year > 9999) throw new TypeError(`${what} must fall in the years 0001..9999`);
  return value.toISOString();
}

/**
 * Returns `value` when it is a non-empty string (its characters are checked when it is escaped).
 *
 * @example
 * ```ts
 * nonEmpty(params.issuer, 'issuer');
 * ```
 */
export function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  if (value.length === 0) throw new TypeError(`${what} must not be empty`);
  return value;
}

/** The checked parts of {@link AssertionParams}, dates formatted. */
export interface CheckedParams {
  readonly id: string;
  readonly issuer: string;
  readonly issueInstant: string;
  readonly notBefore: string;
  readonly notOnOrAfter: string;
  readonly authnInstant: string;
  readonly audience: string;
  readonly subject: string;
  readonly nameIdFormat: string;
  readonly attributes: readonly SamlAttribute[];
}

/**
 * Checks what both SAML versions need: an object, an NCName id, non-empty strings, valid dates
 * with NotBefore < NotOnOrAfter, an array of attributes each with a non-empty name and an array
 * of string values.
 *
 * @example
 * ```ts
 * const p = checkParams(params, '1.1');
 * `AssertionID="${p.id}" IssueInstant="${p.issueInstant}"`;
 * ```
 */
export function checkParams(params: AssertionParams, version: SamlVersion): CheckedParams {
  if (typeof params !== 'object' || params === null)
    throw new TypeError('assertion params must be an object');
  if (params.samlVersion !== version)
    throw new TypeError(`samlVersion must be '${version}' for this template`);
  const id = nonEmpty(params.id, 'id');
  if (!isNcName(id, 0, id.length))
    throw new TypeError('id must be an NCName (for example _ followed by a UUID)');
  const notBefore = instant(params.notBefore, 'notBefore');
  const notOnOrAfter = instant(params.notOnOrAfter, 'notOnOrAfter');
  if (params.notBefore.getTime() >= params.notOnOrAfter.getTime())
    throw new TypeError('notBefore must be earlier than notOnOrAfter');
  const nameIdFormat =
    params.nameIdFormat === undefined
      ? DEFAULT_NAME_ID_FORMAT
      : nonEmpty(params.nameIdFormat, 'nameIdFormat');
  if (!Array.isArray(params.attributes)) throw new TypeError('attributes must be an array');
  params.attributes.forEach((attribute: unknown, i) => {
    const what = `attributes[${i}]`;
    if (typeof attribute !== 'object' || attribute === null)
      throw new TypeError(`${what} must be an object`);
    const a = attribute as SamlAttribute;
    nonEmpty(a.name, `${what}.name`);
    if (version === '1.1') nonEmpty(a.namespace, `${what}.namespace`);
    if (!Array.isArray(a.values)) throw new TypeError(`${what}.values must be an array`);
    // SAML 1.1's schema requires at least one AttributeValue; SAML 2.0 allows none.
    if (version === '1.1' && a.values.length === 0)
      throw new TypeError(`${what}.values must not be empty in SAML 1.1`);
    for (const v of a.values)
      if (typeof v !== 'string') throw new TypeError(`${what}.values must hold strings`);
  });
  return {
    id,
    issuer: nonEmpty(params.issuer, 'issuer'),
    issueInstant: instant(params.issueInstant, 'issueInstant'),
    notBefore,
    notOnOrAfter,
    authnInstant: instant(params.authnInstant, 'authnInstant'),
    audience: nonEmpty(params.audience, 'audience'),
    subject: nonEmpty(params.subject, 'subject'),
    nameIdFormat,
    attributes: params.attributes,
  };
}
