import { compareText } from '../core/compareText.js';
import type { ServiceDependency, Trace, TraceSpan } from '../types.js';

/**
 * The calls between services in a trace's span tree: an edge from the parent span's service to
 * the child span's when they differ, counted per pair, sorted by caller then callee. Only spans
 * that name their `service` count (traces rebuilt from a backend, `stepmark-otel/jaeger`); a
 * span whose parent is not in the trace starts no edge. Empty for a trace of one process.
 * @example serviceDependencies(rebuildTraces(data)[0]) // [{ from: 'checkout', to: 'stock', calls: 2 }]
 */
export function serviceDependencies(trace: Pick<Trace, 'spans'>): ServiceDependency[] {
  const spans: unknown = trace.spans;
  if (!Array.isArray(spans)) return [];
  const byId = new Map<string, TraceSpan>();
  for (const span of spans as TraceSpan[]) {
    if (span === null || typeof span !== 'object' || typeof span.span_id !== 'string') continue;
    if (!byId.has(span.span_id)) byId.set(span.span_id, span);
  }
  const calls = new Map<string, ServiceDependency>();
  for (const span of byId.values()) {
    const to = span.service;
    if (typeof to !== 'string' || typeof span.parent_id !== 'string') continue;
    const from = byId.get(span.parent_id)?.service;
    if (typeof from !== 'string' || from === to) continue;
    const key = JSON.stringify([from, to]);
    const known = calls.get(key);
    if (known === undefined) calls.set(key, { from, to, calls: 1 });
    else known.calls++;
  }
  return [...calls.values()].sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to));
}
