/**
 * The Prometheus side of /metrics, on prom-client: the process defaults (CPU, memory, event-loop
 * lag, GC, handles), HTTP requests and latency by route, and the latency histograms core reports
 * through `Metrics.observe` (delivery, store commit). core/metrics.ts keeps its own counters and
 * gauges (names unchanged); /metrics serves both.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Metrics } from './core/metrics.js';

/** seconds: from a millisecond commit to a parse that hits its deadline. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Prometheus {
  /** one HTTP request answered; `route` is the route pattern (never the raw URL: no ids, no tokens). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** the prom-client part of /metrics, in the text format. */
  render(): Promise<string>;
}

export function createPrometheus(core: Metrics): Prometheus {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'inboxd_' });
  const requests = new Counter({ name: 'inboxd_http_requests_total', help: 'HTTP requests answered, by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({ name: 'inboxd_http_request_duration_seconds', help: 'HTTP request latency, by method and route', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const delivery = new Histogram({ name: 'inboxd_delivery_seconds', help: 'one delivery from parse to commit, by source (SMTP answers after it)', labelNames: ['source'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const commit = new Histogram({ name: 'inboxd_store_commit_seconds', help: 'the store commit of one delivery (all its recipients)', buckets: LATENCY_BUCKETS, registers: [registry] });
  core.observeWith('inboxd_delivery_seconds', (v, labels) => delivery.observe({ source: labels.source ?? 'unknown' }, v));
  core.observeWith('inboxd_store_commit_seconds', (v) => commit.observe(v));
  return {
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    render: () => registry.metrics(),
  };
}
