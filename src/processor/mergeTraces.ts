import type { EntityTrace, Trace, TraceEvent } from '../types.js';
import { compareText } from '../core/compareText.js';
import { setKey } from '../core/sanitize.js';

const COUNTERS = [
  'dropped_events',
  'dropped_entities',
  'dropped_spans',
  'invalid_calls',
  'dropped_span_events',
] as const;

function byTime(a: TraceEvent, b: TraceEvent): number {
  return compareText(a.timestamp, b.timestamp);
}

/**
 * Merges traces of one trace id (e.g. two sessions, or two services): meta merged key by key,
 * entities united (later kind wins, meta merged, events in time order), events in time order,
 * spans concatenated, counters summed. The inputs are not modified.
 */
export function mergeTraces(traceId: string, traces: readonly Trace[]): Trace {
  const out: Trace = { trace_id: traceId };
  const entities: Record<string, EntityTrace> = {};
  const events: TraceEvent[] = [];
  for (const t of traces) {
    if (t.meta !== undefined) out.meta = { ...out.meta, ...t.meta };
    for (const entity of Object.values(t.entities ?? {})) {
      const seen = Object.prototype.hasOwnProperty.call(entities, entity.entity_id)
        ? entities[entity.entity_id]
        : undefined;
      if (seen === undefined) {
        setKey(entities, entity.entity_id, { ...entity, events: [...entity.events] });
        continue;
      }
      if (entity.kind !== undefined) seen.kind = entity.kind;
      if (entity.meta !== undefined) seen.meta = { ...seen.meta, ...entity.meta };
      seen.events.push(...entity.events);
    }
    events.push(...(t.events ?? []));
    if (t.spans !== undefined) out.spans = [...(out.spans ?? []), ...t.spans];
    for (const key of COUNTERS) {
      const n = t[key];
      if (n !== undefined && n > 0) out[key] = (out[key] ?? 0) + n;
    }
  }
  const ids = Object.keys(entities);
  if (ids.length > 0) {
    for (const id of ids) entities[id]?.events.sort(byTime);
    out.entities = entities;
  }
  if (events.length > 0) out.events = events.sort(byTime);
  return out;
}
