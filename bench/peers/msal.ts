/**
 * Benchmark peer: Microsoft MSAL for Python (Debian package python3-msal), timed inside its own
 * process by `msal_mex.py` next to this file. The system interpreter is used on purpose: the
 * python3 first on PATH (pyenv) does not see Debian's dist-packages.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MSAL_PYTHON = '/usr/bin/python3';
export const MSAL_SCRIPT: string = fileURLToPath(new URL('./msal_mex.py', import.meta.url));

export interface MsalPyOptions {
  mexFile: string;
  rstrFile: string;
  /** Seconds spent timing each operation (after warm-up). */
  minTimeSec: number;
}

export type MsalPyResult =
  | {
      available: true;
      /** msal.__version__ */
      version: string;
      pythonVersion: string;
      /** Median round's time per `Mex(doc).get_wstrust_username_password_endpoint()`. */
      mexUsPerOp: number;
      mexOps: number;
      /** Median round's time per `wstrust_response.parse_response(doc)`; null if msal lacks it. */
      rstrUsPerOp: number | null;
      rstrOps: number | null;
      /** Address msal selected. */
      endpoint: string;
      /** '1.3' or '2005', from the selected endpoint's soapAction. */
      endpointVersion: string | null;
      rstrTokenType: string | null;
    }
  | { available: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function lastJsonLine(stdout: string): unknown {
  const lines = stdout.split('\n').filter((line) => line.trimStart().startsWith('{'));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  try {
    return JSON.parse(last) as unknown;
  } catch {
    return undefined;
  }
}

function tail(text: string, max = 400): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed;
}

/**
 * Runs `msal_mex.py` under /usr/bin/python3 synchronously and returns its figures, or
 * `{ available: false, reason }` when the interpreter or python3-msal is missing, the run fails or
 * times out, or its output cannot be understood.
 */
export function runMsalPy(opts: MsalPyOptions): MsalPyResult {
  const { mexFile, rstrFile, minTimeSec } = opts;
  if (!(minTimeSec > 0)) return { available: false, reason: `invalid minTimeSec ${minTimeSec}` };
  // Two operations, each warm-up + calibration + >= minTimeSec of rounds, plus interpreter start.
  const timeoutMs = Math.ceil((minTimeSec * 6 + 30) * 1000);
  const child = spawnSync(
    MSAL_PYTHON,
    // -I: isolated mode (ignore PYTHON* variables and the user site), so only Debian's packages.
    ['-I', MSAL_SCRIPT, '--mex', mexFile, '--rstr', rstrFile, '--min-time', String(minTimeSec)],
    { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.error !== undefined) {
    const code = (child.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') {
      return { available: false, reason: `${MSAL_PYTHON} timed out after ${timeoutMs} ms` };
    }
    return { available: false, reason: `cannot run ${MSAL_PYTHON}: ${child.error.message}` };
  }
  const parsed = lastJsonLine(child.stdout);
  if (!isRecord(parsed)) {
    const why = child.signal !== null ? `killed by ${child.signal}` : `exit status ${child.status}`;
    return {
      available: false,
      reason: `msal_mex.py printed no JSON (${why}): ${tail(child.stderr || child.stdout)}`,
    };
  }
  const error = str(parsed.error);
  if (error !== null) return { available: false, reason: error };
  if (child.status !== 0) {
    return { available: false, reason: `msal_mex.py exit status ${child.status}` };
  }

  const mex = isRecord(parsed.mex) ? parsed.mex : null;
  const rstr = isRecord(parsed.rstr) ? parsed.rstr : null;
  const version = str(parsed.msal_version) ?? 'unknown';
  const mexUsPerOp = mex === null ? null : num(mex.us_per_op);
  const endpoint = mex === null ? null : str(mex.endpoint);
  if (mex === null || mexUsPerOp === null || endpoint === null) {
    return { available: false, reason: `unexpected msal_mex.py output: ${tail(child.stdout)}` };
  }
  return {
    available: true,
    version,
    pythonVersion: str(parsed.python) ?? 'unknown',
    mexUsPerOp,
    mexOps: num(mex.ops) ?? 0,
    rstrUsPerOp: rstr === null ? null : num(rstr.us_per_op),
    rstrOps: rstr === null ? null : num(rstr.ops),
    endpoint,
    endpointVersion: str(mex.version),
    rstrTokenType: rstr === null ? null : str(rstr.token_type),
  };
}
