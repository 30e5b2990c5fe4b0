import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics, renderMetrics } from '../../packages/idp/src/metrics.ts';

test('renderMetrics sums counters and histograms over workers and labels memory by worker', () => {
  const a = new Metrics(1);
  const b = new Metrics(2);
  a.request('/psso/token', 200, 0.002);
  b.request('/psso/token', 200, 0.02);
  b.request('/psso/token', 401, 3);
  a.token('1.1');
  b.token('1.1');
  a.fault('replayed-nonce');
  b.fault('bad-credentials');
  a.connectionShed('handshake');
  b.connectionRefused();
  a.connections = () => ({ handshake: 1, idle: 2, active: 3, max: 10 });
  b.connections = () => ({ handshake: 4, idle: 5, active: 6, max: 10 });
  // Through JSON, as the snapshots cross the cluster IPC channel.
  const text = renderMetrics(JSON.parse(JSON.stringify([a.snapshot(), b.snapshot()])));
  const has = (line: string) => assert.ok(text.split('\n').includes(line), line);
  has('psso_idp_requests_total{route="/psso/token",status="200"} 2');
  has('psso_idp_requests_total{route="/psso/token",status="401"} 1');
  has('psso_idp_tokens_issued_total{saml="1.1"} 2');
  has('psso_idp_faults_total{reason="replayed-nonce"} 1');
  has('psso_idp_faults_total{reason="bad-credentials"} 1');
  has('psso_idp_replays_refused_total 1');
  has('psso_idp_request_duration_seconds_bucket{le="0.0025"} 1');
  has('psso_idp_request_duration_seconds_bucket{le="0.025"} 2');
  has('psso_idp_request_duration_seconds_bucket{le="+Inf"} 3');
  has('psso_idp_request_duration_seconds_count 3');
  has('psso_idp_connections{state="idle"} 7');
  has('psso_idp_connections_max 20');
  has('psso_idp_connections_shed_total{state="handshake"} 1');
  has('psso_idp_connections_shed_total{state="idle"} 0');
  has('psso_idp_connections_refused_total 1');
  has('psso_idp_workers_reporting 2');
  assert.match(text, /^process_resident_memory_bytes\{worker="1"\} \d+$/m);
  assert.match(text, /^process_resident_memory_bytes\{worker="2"\} \d+$/m);
});

test('a label value cannot break out of its quotes', () => {
  // Fault reasons are a closed union (src/idp/http/refusals.ts); routes come from the router.
  const m = new Metrics();
  m.request('a"b\\c\nd', 200, 0.001);
  assert.ok(m.render().includes('psso_idp_requests_total{route="a\\"b\\\\c\\nd",status="200"} 1'));
});
