import type { EntityTrace, Meta, Race, Trace, TraceEvent } from '../../types.js';
import { isoTimestamp } from '../isoTimestamp.js';
import { cloneMeta, setKey } from '../sanitize.js';
import type { Redactor } from '../redaction/Redactor.js';
import type { EventRecord } from './EventRecord.js';
import { logEntryOf } from './LogDetail.js';
import { copyRace, stateAccessOf, type StateDetail } from './StateDetail.js';

/** An entity of the trace under construction: its kind, merged meta and events in recording order. */
export class EntityDraft {
  kind: string | undefined = undefined;
  meta: Meta | undefined = undefined;
  readonly records: EventRecord[] = [];
  constructor(readonly id: string) {}
}

/** Counters of a trace: drops and rejects, shown in the JSON when non-zero. */
export interface DraftCounters {
  droppedEvents: number;
  droppedEntities: number;
  invalidCalls: number;
  droppedSpanEvents: number;
  truncatedMeta: number;
  droppedState: number;
}

/**
 * The JSON of one event (of a record, or of a packed one: see `PackedDraft`); `copy` clones its
 * meta so that the caller may mutate the result.
 */
export function traceEvent(
  stage: string,
  action: string,
  time: number,
  meta: Meta | undefined,
  spanId: string | undefined,
  service: string | undefined,
  copy: boolean,
): TraceEvent {
  const event: TraceEvent = { stage, action, timestamp: isoTimestamp(time) };
  if (meta !== undefined) event.meta = copy ? cloneMeta(meta) : meta;
  if (spanId !== undefined) event.span_id = spanId;
  if (service !== undefined) event.service = service;
  return event;
}

/** The JSON of a record shown as an event. */
function toEvent(r: EventRecord, copy: boolean): TraceEvent {
  return traceEvent(r.stage, r.action, r.time, r.meta, r.spanId, r.service, copy);
}

/** The counters of a Trace: what a cap left out, each a number, absent when zero. */
export const TRACE_COUNTERS = [
  'dropped_events',
  'dropped_entities',
  'dropped_spans',
  'invalid_calls',
  'dropped_span_events',
  'truncated_meta',
  'dropped_state',
] as const;

/** Sets the trace's non-zero counters. */
export function showCounters(trace: Trace, c: DraftCounters): void {
  if (c.droppedEvents > 0) trace.dropped_events = c.droppedEvents;
  if (c.droppedEntities > 0) trace.dropped_entities = c.droppedEntities;
  if (c.invalidCalls > 0) trace.invalid_calls = c.invalidCalls;
  if (c.droppedSpanEvents > 0) trace.dropped_span_events = c.droppedSpanEvents;
  if (c.truncatedMeta > 0) trace.truncated_meta = c.truncatedMeta;
  if (c.droppedState > 0) trace.dropped_state = c.droppedState;
}

/**
 * The JSON trace under construction, held as records: a live session fills it call by call, the
 * backend reader fills it from stored span events, each record through its kind's `show`. The
 * JSON objects are made only by `toTrace`, i.e. only when something reads the trace.
 */
export class TraceDraft {
  /** Request-level meta (`traceMeta`), already sanitized. */
  meta: Meta | undefined = undefined;
  /** The rules the meta was redacted by; the trace's span tags are redacted by them too. */
  redactor: Redactor | undefined = undefined;
  readonly entities = new Map<string, EntityDraft>();
  /** Events of the request itself, tied to no entity. */
  readonly records: EventRecord[] = [];
  /** State accesses (`state.ts`), in recording order. */
  readonly state: EventRecord[] = [];
  /** Races found (`race.ts`), each once (see `raceKeys`). */
  readonly races: Race[] = [];
  /** `raceKey` of each race shown: one race is written on the spans of both its accesses. */
  readonly raceKeys = new Set<string>();
  /** Logs (`log.ts`), in recording order. */
  readonly logs: EventRecord[] = [];
  readonly counters: DraftCounters = {
    droppedEvents: 0,
    droppedEntities: 0,
    invalidCalls: 0,
    droppedSpanEvents: 0,
    truncatedMeta: 0,
    droppedState: 0,
  };

  /** The entity `id`, created if unseen; a given `kind` replaces the known one. */
  entity(id: string, kind?: string): EntityDraft {
    let entity = this.entities.get(id);
    if (entity === undefined) {
      entity = new EntityDraft(id);
      this.entities.set(id, entity);
    }
    if (kind !== undefined) entity.kind = kind;
    return entity;
  }

  /** Drops every record, so that a context kept alive by the application holds no more than this. */
  clear(): void {
    this.entities.clear();
    this.records.length = 0;
    this.state.length = 0;
    this.races.length = 0;
    this.raceKeys.clear();
    this.logs.length = 0;
  }

  /**
   * The JSON of everything in the draft. With `copy` every object is new and safe to mutate;
   * without it, meta objects are shared with the draft (safe once nothing records into it).
   * `onEvent` sees each event made and the record it shows.
   */
  toTrace(
    traceId: string,
    copy: boolean,
    onEvent?: (record: EventRecord, event: TraceEvent) => void,
  ): Trace {
    const show = (record: EventRecord): TraceEvent => {
      const event = toEvent(record, copy);
      onEvent?.(record, event);
      return event;
    };
    const trace: Trace = { trace_id: traceId };
    if (this.meta !== undefined) trace.meta = copy ? cloneMeta(this.meta) : this.meta;
    if (this.entities.size > 0) {
      const entities: Record<string, EntityTrace> = {};
      for (const entity of this.entities.values()) {
        const out = { entity_id: entity.id } as EntityTrace;
        if (entity.kind !== undefined) out.kind = entity.kind;
        if (entity.meta !== undefined) out.meta = copy ? cloneMeta(entity.meta) : entity.meta;
        const events: TraceEvent[] = new Array<TraceEvent>(entity.records.length);
        for (let i = 0; i < events.length; i++) {
          events[i] = show(entity.records[i] as EventRecord);
        }
        out.events = events;
        setKey(entities, entity.id, out);
      }
      trace.entities = entities;
    }
    if (this.records.length > 0) trace.events = this.records.map(show);
    if (this.state.length > 0) {
      trace.state = this.state.map((r) =>
        stateAccessOf(r.detail as StateDetail, r.time, r.seq, r.spanId, traceId, r.service),
      );
    }
    if (this.races.length > 0) trace.races = copy ? this.races.map(copyRace) : [...this.races];
    if (this.logs.length > 0) trace.logs = this.logs.map((r) => logEntryOf(r, copy));
    showCounters(trace, this.counters);
    return trace;
  }
}
