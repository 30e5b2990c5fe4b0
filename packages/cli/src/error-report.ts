/**
 * What the CLI shows of an error, the same in text and in `--json`: the code and message, the
 * typed details (status, reason, TLS code, host and port; value, window, now and skew; expected
 * and got; fault code, subcode and reason; error, error_description, suberror and the predicate
 * verdict), the cause underneath, and the remediation of the code.
 *
 * Every peer-supplied string is already sanitized by the error classes; the cause's message
 * (from Node or OpenSSL, which may quote a peer's certificate names) is escaped and cut here.
 *
 * @module
 */
import {
  HttpError,
  LoginError,
  PredicateError,
  type PssoError,
  peerText,
  SamlError,
  WsTrustError,
  WsTrustFaultError,
  XmlError,
} from 'psso-wstrust';
import { remediationFor } from './remediation.js';

/** A cause in the chain: its code (when it has one) and its message, sanitized. */
export interface CauseFields {
  readonly code?: string;
  readonly message: string;
}

/**
 * The fields of an error worth showing: `code`, `message`, the typed details, `cause` (a list,
 * outermost first), `remediation` and `adfs`. Undefined values are left out.
 *
 * @example
 * ```ts
 * printJson({ error: errorFields(err) });
 * ```
 */
export function errorFields(error: PssoError): Record<string, unknown> {
  const fields: Record<string, unknown> = { code: error.code, message: error.message };
  const put = (values: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(values)) if (v !== undefined) fields[k] = v;
  };
  if (error instanceof XmlError) put({ line: error.line, column: error.column });
  if (error instanceof HttpError) {
    put({
      status: error.status,
      reason: error.reason,
      tlsCode: error.tlsCode,
      host: error.host === undefined ? undefined : peerText(error.host),
      port: error.port,
      hint: error.hint,
    });
  }
  if (error instanceof WsTrustError) put({ detail: error.detail, ...(error.details ?? {}) });
  if (error instanceof WsTrustFaultError) {
    put({ faultCode: error.faultCode, subcode: error.subcode, reason: error.reason });
  }
  if (error instanceof LoginError) {
    put({
      status: error.status,
      error: error.error,
      errorDescription: error.errorDescription,
      suberror: error.suberror,
      predicate:
        error.predicate === undefined
          ? undefined
          : {
              ...(error.predicate.expression === undefined
                ? {}
                : { expression: peerText(error.predicate.expression) }),
              matched: error.predicate.matched,
              verdict: error.predicate.verdict,
            },
    });
  }
  if (error instanceof PredicateError) put({ position: error.position });
  if (error instanceof SamlError)
    put({ algorithm: error.algorithm, peerAlgorithm: error.peerAlgorithm });
  const causes = causeChain(error.cause);
  if (causes.length > 0) fields.cause = causes;
  const remediation = remediationFor(error.code);
  if (remediation !== undefined) put({ remediation: remediation.fix, adfs: remediation.adfs });
  // The error's own remediation (e.g. the relying-party setting for RSA-SHA1) is the sharper one.
  if (error instanceof SamlError && error.remediation !== undefined)
    put({ remediation: error.remediation });
  return fields;
}

/**
 * The causes under an error, outermost first, at most 4 (AggregateError: its first member),
 * codes and messages escaped and cut.
 *
 * @example
 * ```ts
 * causeChain(err.cause); // [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }]
 * ```
 */
export function causeChain(cause: unknown): CauseFields[] {
  const out: CauseFields[] = [];
  let current = cause;
  while (current !== undefined && current !== null && out.length < 4) {
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
      continue;
    }
    const code = (current as { code?: unknown }).code;
    const message = current instanceof Error ? current.message : String(current);
    out.push({
      ...(typeof code === 'string' ? { code: peerText(code, 60) } : {}),
      message: peerText(message),
    });
    current = current instanceof Error ? current.cause : undefined;
  }
  return out;
}

const LABELS: Readonly<Record<string, string>> = Object.freeze({
  remediation: 'what to do',
  adfs: 'AD FS',
  errorDescription: 'error_description',
});

/**
 * The error for people: the first line `CODE: message`, then one `  name: value` line per field.
 *
 * @example
 * ```ts
 * process.stderr.write(formatErrorText(errorFields(err)).join('\n'));
 * ```
 */
export function formatErrorText(fields: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'code' || k === 'message' || v === undefined) continue;
    const label = LABELS[k] ?? k;
    if (k === 'cause' && Array.isArray(v)) {
      for (const c of v as CauseFields[])
        lines.push(`  cause: ${c.code === undefined ? '' : `${c.code}: `}${c.message}`);
    } else if (k === 'predicate' && typeof v === 'object' && v !== null) {
      const p = v as { expression?: string; matched: boolean; verdict: string };
      lines.push(
        `  invalidCredentialPredicate: ${p.expression ?? '(none)'} → ${p.expression === undefined ? 'no predicate' : p.matched ? 'matched' : 'did not match'}: ${p.verdict === 'credentials' ? 'a credential error (macOS asks for the password again)' : 'not a credential error'}`,
      );
    } else lines.push(`  ${label}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return lines;
}
