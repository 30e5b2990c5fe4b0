/**
 * The overall deadline of one exchange: a single timer started once (never reset by incoming
 * bytes) combined with the caller's signal, and a race that makes a pending step give up as soon
 * as either fires — undici itself only notices an abort once a connection is established.
 *
 * @module
 */

/**
 * The deadline and the signal to hand to undici (the deadline, or it combined with the caller's).
 *
 * @example
 * ```ts
 * const { deadline, signal } = startDeadline(5000, options.signal);
 * await request(url, { signal });
 * ```
 */
export function startDeadline(
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
): { deadline: AbortSignal; signal: AbortSignal } {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal === undefined ? deadline : AbortSignal.any([deadline, callerSignal]);
  return { deadline, signal };
}

/**
 * Settles like `work`, or rejects with `signal.reason` as soon as `signal` aborts, whichever is
 * first. A result arriving after the abort is passed to `discard` (to release a response body).
 *
 * @example
 * ```ts
 * const res = await raceAbort(request(url, { signal }), signal, (r) => discardBody(r.body));
 * ```
 */
export function raceAbort<T>(
  work: Promise<T>,
  signal: AbortSignal,
  discard: (late: T) => void,
): Promise<T> {
  if (signal.aborted) {
    work.then(discard, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const onAbort = (): void => {
      done = true;
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (done) discard(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!done) reject(error);
      },
    );
  });
}
