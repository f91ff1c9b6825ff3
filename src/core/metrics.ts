/**
 * Counters and gauges for /metrics, in the Prometheus text format. Hand-written because the
 * need is tiny (a few labelled counters) and core must stay free of I/O libraries.
 */

type Labels = Record<string, string>;

const key = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',');

export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly gauges = new Map<string, { help: string; read: () => number | [Labels, number][] }>();

  /** declares a counter (idempotent). */
  counter(name: string, help: string): void {
    if (!this.counters.has(name)) this.counters.set(name, { help, values: new Map() });
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const c = this.counters.get(name);
    if (!c) return;
    const k = key(labels);
    c.values.set(k, (c.values.get(k) ?? 0) + by);
  }

  private readonly observers = new Map<string, (value: number, labels: Labels) => void>();

  /**
   * sends observations of `name` (latencies, in seconds) to a histogram kept outside core
   * (src/prometheus.ts, prom-client); without one they are dropped.
   */
  observeWith(name: string, observer: (value: number, labels: Labels) => void): void {
    this.observers.set(name, observer);
  }

  /** one observation of `name` (e.g. a delivery's duration in seconds). */
  observe(name: string, value: number, labels: Labels = {}): void {
    this.observers.get(name)?.(value, labels);
  }

  /** a gauge read at scrape time: one value, or one per label set (`[{ kind: 'ws' }, 3]`). */
  gauge(name: string, help: string, read: () => number | [Labels, number][]): void {
    this.gauges.set(name, { help, read });
  }

  value(name: string, labels: Labels = {}): number {
    return this.counters.get(name)?.values.get(key(labels)) ?? 0;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      if (c.values.size === 0) out.push(`${name} 0`);
      for (const [k, v] of c.values) out.push(`${name}${k ? `{${k}}` : ''} ${v}`);
    }
    for (const [name, g] of this.gauges) {
      out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`);
      const v = g.read();
      if (typeof v === 'number') out.push(`${name} ${v}`);
      else for (const [labels, n] of v) out.push(`${name}{${key(labels)}} ${n}`);
    }
    return out.join('\n') + '\n';
  }
}

/** the counters core updates; edges may declare more. */
export function createMetrics(): Metrics {
  const m = new Metrics();
  m.counter('inboxd_messages_stored_total', 'message copies committed, by source');
  m.counter('inboxd_deliveries_refused_total', 'recipients or messages refused, by reason');
  m.counter('inboxd_delivery_faults_total', 'delivery attempts a fault script (PUT …/faults) answered, delayed or dropped, by stage and action');
  m.counter('inboxd_parse_errors_total', 'messages stored unparsed (raw kept, parse_error set)');
  m.counter('inboxd_bus_publish_failures_total', 'events not published after a commit (clients catch up with since=)');
  return m;
}
