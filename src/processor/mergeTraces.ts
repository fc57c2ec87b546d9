import { objectOf } from '../core/jsonShape.js';
import { RECORD_KINDS } from '../core/records/recordKinds.js';
import { TRACE_COUNTERS } from '../core/records/TraceDraft.js';
import { setKey } from '../core/sanitize.js';
import type { EntityTrace, Trace, TraceEvent } from '../types.js';

const COUNTERS = TRACE_COUNTERS;

type Fields = Readonly<Record<string, unknown>>;

/** The objects of `value` when it is a list (events to be sorted by their timestamp), else undefined. */
function objectsOf(value: unknown): TraceEvent[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item) => objectOf(item) !== undefined) as TraceEvent[];
}

/** An entity of a trace being merged, its fields of another type left out. */
function entityOf(id: string, value: Fields): EntityTrace {
  const entity: EntityTrace = {
    ...value,
    entity_id: typeof value.entity_id === 'string' ? value.entity_id : id,
    events: objectsOf(value.events) ?? [],
  };
  if (typeof value.kind !== 'string') delete entity.kind;
  if (objectOf(value.meta) === undefined) delete entity.meta;
  return entity;
}

/**
 * A trace to merge, read rather than trusted (it may come from a file): undefined when it is no
 * object; a field of another type is left out, an entity that is no object too.
 */
function traceOf(value: unknown): Trace | undefined {
  const t = objectOf(value);
  if (t === undefined) return undefined;
  const trace = { ...t } as unknown as Trace;
  if (objectOf(t.meta) === undefined) delete trace.meta;
  if (!Array.isArray(t.spans)) delete trace.spans;
  const events = objectsOf(t.events);
  if (events === undefined) delete trace.events;
  else trace.events = events;
  const entities = objectOf(t.entities);
  if (entities === undefined) delete trace.entities;
  else {
    trace.entities = {};
    for (const [id, entity] of Object.entries(entities)) {
      const fields = objectOf(entity);
      if (fields !== undefined) setKey(trace.entities, id, entityOf(id, fields));
    }
  }
  for (const key of COUNTERS) if (typeof t[key] !== 'number') delete trace[key];
  return trace;
}

/**
 * Merges traces of one trace id (e.g. two sessions, or two services): meta merged key by key,
 * spans concatenated, counters summed, and what each record kind owns merged by that kind
 * (entities united, later kind wins, meta merged; events in time order). The inputs are not
 * modified, nor trusted: one that is no object is skipped, and a field of another type (spans or
 * events that are no list, entities or meta that are no object, an event or entity that is no
 * object) counts as absent.
 * @example mergeTraces(traceId, [fromCheckout, fromInventory])
 */
export function mergeTraces(traceId: string, traces: readonly Trace[]): Trace {
  const out: Trace = { trace_id: traceId };
  for (const input of traces) {
    const t = traceOf(input);
    if (t === undefined) continue;
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
