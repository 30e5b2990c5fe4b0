/**
 * Prometheus text-format metrics: requests, tokens issued, faults by label, replays refused, and a
 * latency histogram.
 *
 * @module
 */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The IdP's counters. */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  private readonly warnings = new Map<string, number>();
  private replays = 0;
  private readonly buckets = new Array<number>(BUCKETS.length).fill(0);
  private count = 0;
  private sum = 0;

  /** One HTTP request finished. */
  request(route: string, status: number, seconds: number): void {
    const key = `route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.count++;
    this.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++)
      if (seconds <= (BUCKETS[i] as number)) this.buckets[i] = (this.buckets[i] as number) + 1;
  }

  /** A token was issued. */
  token(samlVersion: string): void {
    this.tokens.set(samlVersion, (this.tokens.get(samlVersion) ?? 0) + 1);
  }

  /** A request was refused with a fault. */
  fault(label: string): void {
    this.faults.set(label, (this.faults.get(label) ?? 0) + 1);
    // STS `replayed-nonce`; token endpoint `psso-server-nonce-replayed`, `psso-…SAML_REPLAY`.
    if (label.startsWith('replayed-') || label.endsWith('-replayed') || label.endsWith('_REPLAY'))
      this.replays++;
  }

  /** A request was served, with something to warn about (e.g. `message-id-lowercase`). */
  warning(label: string): void {
    this.warnings.set(label, (this.warnings.get(label) ?? 0) + 1);
  }

  /** The exposition text. */
  render(): string {
    const lines: string[] = [];
    lines.push(
      '# HELP psso_idp_requests_total HTTP requests by route and status.',
      '# TYPE psso_idp_requests_total counter',
    );
    for (const [k, v] of this.requests) lines.push(`psso_idp_requests_total{${k}} ${v}`);
    lines.push(
      '# HELP psso_idp_tokens_issued_total SAML assertions issued.',
      '# TYPE psso_idp_tokens_issued_total counter',
    );
    for (const [k, v] of this.tokens) lines.push(`psso_idp_tokens_issued_total{saml="${k}"} ${v}`);
    lines.push(
      '# HELP psso_idp_faults_total Requests refused, by reason.',
      '# TYPE psso_idp_faults_total counter',
    );
    for (const [k, v] of this.faults) lines.push(`psso_idp_faults_total{reason="${k}"} ${v}`);
    lines.push(
      '# HELP psso_idp_warnings_total Requests served with a warning, by reason.',
      '# TYPE psso_idp_warnings_total counter',
    );
    for (const [k, v] of this.warnings) lines.push(`psso_idp_warnings_total{reason="${k}"} ${v}`);
    lines.push(
      '# HELP psso_idp_replays_refused_total Replayed nonces, assertions or server nonces refused.',
      '# TYPE psso_idp_replays_refused_total counter',
    );
    lines.push(`psso_idp_replays_refused_total ${this.replays}`);
    lines.push(
      '# HELP psso_idp_request_duration_seconds Request latency.',
      '# TYPE psso_idp_request_duration_seconds histogram',
    );
    BUCKETS.forEach((le, i) => {
      lines.push(`psso_idp_request_duration_seconds_bucket{le="${le}"} ${this.buckets[i]}`);
    });
    lines.push(`psso_idp_request_duration_seconds_bucket{le="+Inf"} ${this.count}`);
    lines.push(
      `psso_idp_request_duration_seconds_sum ${this.sum}`,
      `psso_idp_request_duration_seconds_count ${this.count}`,
    );
    const mem = process.memoryUsage();
    lines.push(
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
    );
    lines.push(`process_resident_memory_bytes ${mem.rss}`);
    lines.push(
      '# HELP nodejs_heap_used_bytes V8 heap in use.',
      '# TYPE nodejs_heap_used_bytes gauge',
    );
    lines.push(`nodejs_heap_used_bytes ${mem.heapUsed}`);
    lines.push(
      '# HELP nodejs_heap_total_bytes V8 heap reserved.',
      '# TYPE nodejs_heap_total_bytes gauge',
    );
    lines.push(`nodejs_heap_total_bytes ${mem.heapTotal}`);
    lines.push(
      '# HELP nodejs_external_memory_bytes Memory outside the V8 heap (buffers).',
      '# TYPE nodejs_external_memory_bytes gauge',
    );
    lines.push(`nodejs_external_memory_bytes ${mem.external + mem.arrayBuffers}`);
    return `${lines.join('\n')}\n`;
  }
}
