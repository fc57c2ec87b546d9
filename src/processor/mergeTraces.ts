import { RECORD_KINDS } from '../core/records/recordKinds.js';
import type { Trace } from '../types.js';

const COUNTERS = [
  'dropped_events',
  'dropped_entities',
  'dropped_spans',
  'invalid_calls',
  'dropped_span_events',
  'truncated_meta',
] as const;

/**
 * Merges traces of one trace id (e.g. two sessions, or two services): meta merged key by key,
 * spans concatenated, counters summed, and what each record kind owns merged by that kind
 * (entities united, later kind wins, meta merged; events in time order). The inputs are not
 * modified.
 */
export function mergeTraces(traceId: string, traces: readonly Trace[]): Trace {
  const out: Trace = { trace_id: traceId };
  for (const t of traces) {
    if (t.meta !== undefined) out.meta = { ...out.meta, ...t.meta };
    for (const kind of RECORD_KINDS) kind.merge(out, t);
    if (t.spans !== undefined) out.spans = [...(out.spans ?? []), ...t.spans];
    for (const key of COUNTERS) {
      const n = t[key];
      if (n !== undefined && n > 0) out[key] = (out[key] ?? 0) + n;
    }
  }
  for (const kind of RECORD_KINDS) kind.finishMerge?.(out);
  return out;
}
