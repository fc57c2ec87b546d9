import { compareText } from '../core/compareText.js';
import type { EntityTrace, Meta, Trace, TraceEvent } from '../types.js';
import type { JaegerClient } from './JaegerClient.js';
import { rebuildTraces } from './rebuildTrace.js';
import { ENTITY_SEARCH_ATTRIBUTE } from './search.js';

/** One decision about an entity, with the trace it was made in. */
export interface EntityEvent extends TraceEvent {
  trace_id: string;
}

/** Everything Jaeger holds about one entity: its kind, merged meta, and decisions in time order. */
export interface EntityHistory {
  entity_id: string;
  kind?: string;
  meta?: Meta;
  traces: string[];
  events: EntityEvent[];
  /** Set when a search hit its limit: older traces may be missing (raise `limit`). */
  truncated?: boolean;
}

/**
 * The decision history of one entity across traces and services, from Jaeger.
 * @example await entityHistory(new JaegerClient(), 'order_42', { sinceMs: 3_600_000 })
 */
export async function entityHistory(
  client: JaegerClient,
  entityId: string,
  options: { service?: string; sinceMs: number; limit?: number },
): Promise<EntityHistory> {
  const services = options.service !== undefined ? [options.service] : await client.services();
  const startMin = Date.now() - options.sinceMs;
  const limit = options.limit ?? 100;
  const traces: Trace[] = [];
  let truncated = false;
  const seen = new Set<string>();
  for (const service of services) {
    const ids = await client.findTraceIds({
      service,
      attributes: { [ENTITY_SEARCH_ATTRIBUTE]: entityId },
      startMin,
      limit,
    });
    if (ids.length >= limit) truncated = true;
    for (const traceId of ids) {
      // A trace found from two services is read once, whole.
      if (seen.has(traceId)) continue;
      seen.add(traceId);
      // rebuildTraces lists an entity's events in recording order.
      const [trace] = rebuildTraces(await client.getTrace(traceId));
      if (trace !== undefined) traces.push(trace);
    }
  }
  const history = entityHistoryOf(traces, entityId);
  if (truncated) history.truncated = true;
  return history;
}

/**
 * One entity's decisions across `traces` (read from Jaeger, or from a file by `stepmark-otel
 * show`): traces in the time order of their first decision about it, kind and meta merged in that
 * order (the latest wins), each event with its trace id. A trace id that occurs twice (two
 * services writing one file) is listed once.
 * @example entityHistoryOf(parseTraceFile(text, 'traces.jsonl').traces, 'order_42')
 */
export function entityHistoryOf(traces: readonly Trace[], entityId: string): EntityHistory {
  const found: Array<{ traceId: string; entity: EntityTrace; first: string }> = [];
  for (const trace of traces) {
    const entities = trace.entities;
    if (entities === undefined || !Object.hasOwn(entities, entityId)) continue;
    const entity = entities[entityId] as EntityTrace;
    found.push({ traceId: trace.trace_id, entity, first: entity.events[0]?.timestamp ?? '' });
  }
  // Array.prototype.sort is stable: parts of one trace with equal times keep their order.
  found.sort((a, b) => compareText(a.first, b.first));
  const history: EntityHistory = { entity_id: entityId, traces: [], events: [] };
  const listed = new Set<string>();
  for (const { traceId, entity } of found) {
    if (!listed.has(traceId)) history.traces.push(traceId);
    listed.add(traceId);
    if (entity.kind !== undefined) history.kind = entity.kind;
    if (entity.meta !== undefined) history.meta = { ...history.meta, ...entity.meta };
    for (const event of entity.events) history.events.push({ ...event, trace_id: traceId });
  }
  return history;
}
