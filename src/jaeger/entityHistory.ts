import { compareText } from '../core/compareText.js';
import type { EntityTrace, Meta, TraceEvent } from '../types.js';
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
  const history: EntityHistory = { entity_id: entityId, traces: [], events: [] };
  const found: Array<{ traceId: string; entity: EntityTrace; first: string }> = [];
  const seen = new Set<string>();
  for (const service of services) {
    const ids = await client.findTraceIds({
      service,
      attributes: { [ENTITY_SEARCH_ATTRIBUTE]: entityId },
      startMin,
      limit,
    });
    if (ids.length >= limit) history.truncated = true;
    for (const traceId of ids) {
      // A trace found from two services is read once, whole.
      if (seen.has(traceId)) continue;
      seen.add(traceId);
      const [trace] = rebuildTraces(await client.getTrace(traceId));
      const entities = trace?.entities;
      if (entities === undefined || !Object.prototype.hasOwnProperty.call(entities, entityId))
        continue;
      const entity = entities[entityId];
      if (trace === undefined || entity === undefined) continue;
      // rebuildTraces already lists an entity's events in recording order.
      found.push({ traceId, entity, first: entity.events[0]?.timestamp ?? '' });
    }
  }
  // Traces in time order; meta and kind merge in that order, so the latest state wins.
  found.sort((a, b) => compareText(a.first, b.first));
  for (const { traceId, entity } of found) {
    history.traces.push(traceId);
    if (entity.kind !== undefined) history.kind = entity.kind;
    if (entity.meta !== undefined) history.meta = { ...history.meta, ...entity.meta };
    for (const event of entity.events) history.events.push({ ...event, trace_id: traceId });
  }
  return history;
}
