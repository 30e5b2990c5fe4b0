/**
 * The one error-code assertion of the test suite: `assertCode(run, code[, Class])` passes when `run`
 * (a function, an async function or a promise) throws or rejects with a {@link PssoError} whose
 * `code` is `code`, and returns that error for further checks. `code` is typed as the closed union
 * of error codes in src/errors.ts, so a misspelt code fails `npm run typecheck`.
 */
import assert from 'node:assert/strict';
import { PssoError, type PssoErrorCode } from '../../packages/psso-wstrust/src/errors.ts';

/** A class of error, for `instanceof` (its constructor's parameters do not matter). */
// biome-ignore lint/suspicious/noExplicitAny: any constructor signature is accepted on purpose
type ErrorClass<E> = abstract new (...args: any[]) => E;

function check<E extends PssoError>(
  error: unknown,
  code: PssoErrorCode,
  Class: ErrorClass<E> | undefined,
): E {
  const Expected = Class ?? PssoError;
  if (!(error instanceof Expected)) {
    const got = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    assert.fail(`expected a ${Expected.name} with code ${code}, got ${got}`);
  }
  assert.equal((error as PssoError).code, code, (error as Error).message);
  return error as E;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as { then?: unknown } | null)?.then === 'function';

/**
 * Asserts that `run` fails with the error code `code` (and, when given, an instance of `Class`);
 * returns the error. With a promise or a function returning one, returns a promise: await it.
 *
 * @example
 * ```ts
 * assertCode(() => parseMex('<a/>'), 'PSSO_ERR_MEX_NOT_WSDL', MexError);
 * const e = await assertCode(httpRequest(url), 'PSSO_ERR_HTTP_TIMEOUT', HttpError);
 * assert.equal(e.reason, 'deadline');
 * ```
 */
export function assertCode<E extends PssoError = PssoError>(
  run: PromiseLike<unknown> | (() => PromiseLike<unknown>),
  code: PssoErrorCode,
  Class?: ErrorClass<E>,
): Promise<E>;
export function assertCode<E extends PssoError = PssoError>(
  run: () => unknown,
  code: PssoErrorCode,
  Class?: ErrorClass<E>,
): E;
export function assertCode<E extends PssoError = PssoError>(
  run: PromiseLike<unknown> | (() => unknown),
  code: PssoErrorCode,
  Class?: ErrorClass<E>,
): E | Promise<E> {
  let result: unknown;
  if (typeof run === 'function') {
    try {
      result = run();
    } catch (error) {
      return check(error, code, Class);
    }
    if (!isThenable(result)) assert.fail(`expected ${code}, but nothing was thrown`);
  } else result = run;
  return Promise.resolve(result).then(
    () => assert.fail(`expected ${code}, but the promise resolved`),
    (error: unknown) => check(error, code, Class),
  );
}
