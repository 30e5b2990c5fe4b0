/**
 * Reading a JSON answer from an IdP: bounded, an object at the top, and a code of the caller's
 * choosing on any failure (never the peer's bytes in the message).
 *
 * @module
 */
import { LoginError, type LoginErrorCode } from '../../errors.js';

/** Parses `body` as a JSON object, or throws `LoginError(code)`. */
export function jsonObject(
  body: Uint8Array,
  code: LoginErrorCode,
  what: string,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new LoginError(code, `The ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LoginError(code, `The ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
