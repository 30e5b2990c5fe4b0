/**
 * Fault injection, for testing clients: switches that make the STS answer wrongly on purpose.
 * Off by default; the server logs loudly when any is on.
 *
 * @module
 */

/** The switches. Every field absent means "behave". */
export interface FaultInjection {
  /** Shift every time the STS writes by this many seconds. */
  readonly skewSeconds?: number;
  readonly noRelatesTo?: boolean;
  readonly wrongRelatesTo?: boolean;
  /** Answer in a SOAP 1.1 envelope. */
  readonly soap11?: boolean;
  /** Send this TokenType. */
  readonly tokenType?: string;
  /** Put two assertions in RequestedSecurityToken. */
  readonly twoAssertions?: boolean;
  /** Send the assertion without its signature. */
  readonly unsigned?: boolean;
  /** Change the subject after signing. */
  readonly tampered?: boolean;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Answer with this HTTP status (and the normal body). */
  readonly httpStatus?: number;
  /** Cut the body in half. */
  readonly truncate?: boolean;
}

/** The CLI spellings, for `--fault NAME[=VALUE]`. */
export const FAULT_SWITCHES = [
  'skew=SECONDS',
  'no-relates-to',
  'wrong-relates-to',
  'soap11',
  'token-type=URI',
  'two-assertions',
  'unsigned',
  'tampered',
  'delay=MS',
  'status=CODE',
  'truncate',
] as const;

/**
 * Parses `--fault` values (`skew=300`, `no-relates-to`, …) into a {@link FaultInjection}.
 *
 * @throws {TypeError} for an unknown switch or a bad value.
 *
 * @example
 * ```ts
 * parseFaultSwitches(['skew=600', 'no-relates-to']); // { skewSeconds: 600, noRelatesTo: true }
 * ```
 */
export function parseFaultSwitches(values: readonly string[]): FaultInjection {
  const out: { -readonly [K in keyof FaultInjection]: FaultInjection[K] } = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    const name = eq === -1 ? raw : raw.slice(0, eq);
    const value = eq === -1 ? undefined : raw.slice(eq + 1);
    const int = (min: number, max: number): number => {
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || n < min || n > max) {
        throw new TypeError(`--fault ${name} needs an integer from ${min} to ${max}`);
      }
      return n;
    };
    switch (name) {
      case 'skew':
        out.skewSeconds = int(-86_400 * 3650, 86_400 * 3650);
        break;
      case 'delay':
        out.delayMs = int(0, 600_000);
        break;
      case 'status':
        out.httpStatus = int(100, 599);
        break;
      case 'token-type':
        if (value === undefined || value === '')
          throw new TypeError('--fault token-type needs a URI');
        out.tokenType = value;
        break;
      case 'no-relates-to':
        out.noRelatesTo = true;
        break;
      case 'wrong-relates-to':
        out.wrongRelatesTo = true;
        break;
      case 'soap11':
        out.soap11 = true;
        break;
      case 'two-assertions':
        out.twoAssertions = true;
        break;
      case 'unsigned':
        out.unsigned = true;
        break;
      case 'tampered':
        out.tampered = true;
        break;
      case 'truncate':
        out.truncate = true;
        break;
      default:
        throw new TypeError(
          `unknown --fault switch "${name}" (known: ${FAULT_SWITCHES.join(', ')})`,
        );
    }
  }
  return out;
}

/** Whether any switch is on. */
export function faultsEnabled(f: FaultInjection): boolean {
  return Object.values(f).some((v) => v !== undefined && v !== false);
}
