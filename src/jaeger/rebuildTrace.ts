import {
  ATTR_ACTION,
  ATTR_DROPPED_SPAN_EVENTS,
  ATTR_ENTITY_ID,
  ATTR_ENTITY_KIND,
  ATTR_META_PREFIX,
  ATTR_PROCESS,
  ATTR_SEQ,
  ATTR_STAGE,
  ATTR_TRACE_META_PREFIX,
  EVENT_DECISION,
  EVENT_TRACK,
} from '../core/attributes.js';
import { compareText } from '../core/compareText.js';
import { isoTimestamp } from '../core/isoTimestamp.js';
import { setKey } from '../core/sanitize.js';
import type { EntityTrace, Meta, MetaValue, Trace, TraceEvent, TraceSpan } from '../types.js';
import { attributesOf, nanosToMs, type OtlpSpan, type OtlpTracesData } from './otlpJson.js';

/** Service name of spans without a `service.name` resource attribute. */
const UNKNOWN_SERVICE = 'unknown_service';

/**
 * A meta value as written on the span: primitives as they are; objects, arrays and null were
 * JSON-encoded, so a string that parses as one of those is decoded. (A string meta value that
 * happens to look like JSON comes back decoded: the span cannot tell the two apart.)
 */
function metaValue(value: unknown): MetaValue {
  if (typeof value === 'string' && /^(?:[[{]|null$)/.test(value)) {
    try {
      return JSON.parse(value) as MetaValue;
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value as MetaValue[];
  return value === undefined ? null : (value as MetaValue);
}

/** The `stepmark.meta.*` (or other prefixed) attributes as meta, or undefined when none. */
function prefixed(attributes: Record<string, unknown>, prefix: string): Meta | undefined {
  let meta: Meta | undefined;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(prefix)) continue;
    meta ??= {};
    setKey(meta, key.slice(prefix.length), metaValue(value));
  }
  return meta;
}

interface Decision {
  time: number;
  /** Recording order within its process (ATTR_SEQ), when written. */
  seq: number | undefined;
  /** Which process wrote it: events of one process are ordered by `seq`. */
  origin: string;
  event: TraceEvent;
  entityId: string | undefined;
  kind: string | undefined;
  isTrack: boolean;
}

function spanSummary(
  span: OtlpSpan,
  service: string,
  attributes: Record<string, unknown>,
): TraceSpan {
  const start = nanosToMs(span.startTimeUnixNano);
  const end = nanosToMs(span.endTimeUnixNano);
  const out: TraceSpan = {
    span_id: span.spanId,
    name: span.name ?? '',
    start_time: isoTimestamp(start),
    end_time: isoTimestamp(end),
    duration_ms: Math.round((end - start) * 1000) / 1000,
    service,
  };
  if (span.parentSpanId) out.parent_id = span.parentSpanId;
  const tags: Record<string, MetaValue> = {};
  for (const [key, value] of Object.entries(attributes)) tags[key] = metaValue(value);
  if (Object.keys(tags).length > 0) out.tags = tags;
  const code = String(span.status?.code ?? '');
  if (code === '2' || code === 'STATUS_CODE_ERROR') out.status = 'error';
  else if (code === '1' || code === 'STATUS_CODE_OK') out.status = 'ok';
  return out;
}

/**
 * The SPEC-shaped JSON of one distributed trace, rebuilt from what Jaeger stored (OTLP/JSON from
 * `/api/v3`): every service's spans, entities merged across services, events in time order, each
 * event and span with its `service`. Returns one Trace per trace id found in `data`.
 */
export function rebuildTraces(data: OtlpTracesData): Trace[] {
  const byTrace = new Map<
    string,
    { spans: TraceSpan[]; decisions: Decision[]; meta?: Meta; dropped: number }
  >();
  for (const resourceSpans of data.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    const origin = JSON.stringify(resource);
    const service =
      typeof resource['service.name'] === 'string' ? resource['service.name'] : UNKNOWN_SERVICE;
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        let entry = byTrace.get(span.traceId);
        if (entry === undefined)
          byTrace.set(span.traceId, (entry = { spans: [], decisions: [], dropped: 0 }));
        const attributes = attributesOf(span.attributes);
        entry.spans.push(spanSummary(span, service, attributes));
        // `stepmark.seq` counts per process: group by the process that wrote the span.
        const writer = `${origin}|${String(attributes[ATTR_PROCESS] ?? '')}`;
        const traceMeta = prefixed(attributes, ATTR_TRACE_META_PREFIX);
        if (traceMeta !== undefined) entry.meta = { ...entry.meta, ...traceMeta };
        const dropped = attributes[ATTR_DROPPED_SPAN_EVENTS];
        if (typeof dropped === 'number') entry.dropped += dropped;
        for (const otlpEvent of span.events ?? []) {
          const isTrack = otlpEvent.name === EVENT_TRACK;
          if (!isTrack && otlpEvent.name !== EVENT_DECISION) continue;
          const a = attributesOf(otlpEvent.attributes);
          const time = nanosToMs(otlpEvent.timeUnixNano);
          const event: TraceEvent = {
            stage: String(a[ATTR_STAGE] ?? (isTrack ? 'track' : '')),
            action: String(a[ATTR_ACTION] ?? (isTrack ? 'track' : '')),
            timestamp: isoTimestamp(time),
          };
          const meta = prefixed(a, ATTR_META_PREFIX);
          if (meta !== undefined) event.meta = meta;
          event.span_id = span.spanId;
          event.service = service;
          const entityId = a[ATTR_ENTITY_ID];
          const kind = a[ATTR_ENTITY_KIND];
          const seq = a[ATTR_SEQ];
          entry.decisions.push({
            time,
            seq: typeof seq === 'number' ? seq : undefined,
            origin: writer,
            event,
            entityId: typeof entityId === 'string' ? entityId : undefined,
            kind: typeof kind === 'string' ? kind : undefined,
            isTrack,
          });
        }
      }
    }
  }
  return [...byTrace.entries()].map(([traceId, entry]) => assemble(traceId, entry));
}

/**
 * Events of one process in their recording order (`seq`), the processes merged by time: the
 * spans of one process may disagree by a millisecond, but `seq` does not.
 */
function inRecordingOrder(decisions: Decision[]): Decision[] {
  const byOrigin = new Map<string, Decision[]>();
  for (const d of decisions) {
    const list = byOrigin.get(d.origin);
    if (list === undefined) byOrigin.set(d.origin, [d]);
    else list.push(d);
  }
  const lists = [...byOrigin.values()].map((list) =>
    list.sort((a, b) =>
      a.seq !== undefined && b.seq !== undefined ? a.seq - b.seq : a.time - b.time,
    ),
  );
  const merged: Decision[] = [];
  const heads = lists.map(() => 0);
  for (;;) {
    let pick = -1;
    for (let i = 0; i < lists.length; i++) {
      const candidate = lists[i]?.[heads[i] ?? 0];
      if (candidate === undefined) continue;
      const best = pick < 0 ? undefined : lists[pick]?.[heads[pick] ?? 0];
      if (best === undefined || candidate.time < best.time) pick = i;
    }
    if (pick < 0) return merged;
    merged.push(lists[pick]?.[heads[pick] ?? 0] as Decision);
    heads[pick] = (heads[pick] ?? 0) + 1;
  }
}

/** Every event of a rebuilt trace in recording order (entity and request events together). */
const RECORDING_ORDER = new WeakMap<Trace, TraceEvent[]>();

/**
 * The events of a trace in the order they were recorded: for a trace rebuilt from Jaeger, the
 * order the rebuild established (per process by `stepmark.seq`, processes merged by time);
 * for any other trace, by timestamp.
 */
export function recordingOrder(trace: Trace): TraceEvent[] {
  const known = RECORDING_ORDER.get(trace);
  if (known !== undefined) return known;
  const all = [
    ...Object.values(trace.entities ?? {}).flatMap((e) => e.events),
    ...(trace.events ?? []),
  ];
  return all.sort((a, b) => compareText(a.timestamp, b.timestamp));
}

function assemble(
  traceId: string,
  entry: { spans: TraceSpan[]; decisions: Decision[]; meta?: Meta; dropped: number },
): Trace {
  const trace: Trace = { trace_id: traceId };
  if (entry.meta !== undefined) trace.meta = entry.meta;
  const decisions = inRecordingOrder(entry.decisions);
  const entities: Record<string, EntityTrace> = {};
  const events: TraceEvent[] = [];
  for (const d of decisions) {
    if (d.entityId === undefined) {
      if (!d.isTrack) events.push(d.event);
      continue;
    }
    let entity = Object.prototype.hasOwnProperty.call(entities, d.entityId)
      ? entities[d.entityId]
      : undefined;
    if (entity === undefined)
      setKey(entities, d.entityId, (entity = { entity_id: d.entityId, events: [] }));
    if (d.kind !== undefined) entity.kind = d.kind;
    if (d.isTrack) {
      if (d.event.meta !== undefined) entity.meta = { ...entity.meta, ...d.event.meta };
    } else {
      entity.events.push(d.event);
    }
  }
  RECORDING_ORDER.set(
    trace,
    decisions.filter((d) => !d.isTrack).map((d) => d.event),
  );
  if (Object.keys(entities).length > 0) trace.entities = entities;
  if (events.length > 0) trace.events = events;
  trace.spans = entry.spans.sort((a, b) => compareText(a.start_time, b.start_time));
  if (entry.dropped > 0) trace.dropped_span_events = entry.dropped;
  return trace;
}
