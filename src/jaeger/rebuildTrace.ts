import { markTasksAndRegions } from '../processor/markTasksAndRegions.js';
import {
  ATTR_DROPPED_SPAN_EVENTS,
  ATTR_PROCESS,
  ATTR_RUNTIME_KIND,
  ATTR_TRACE_META_PREFIX,
} from '../core/attributes.js';
import { compareText } from '../core/compareText.js';
import { isoTimestamp } from '../core/isoTimestamp.js';
import type { EventRecord } from '../core/records/EventRecord.js';
import { decodeMeta, decodeMetaValue } from '../core/records/metaAttributes.js';
import { mergeInOrder } from '../core/mergeInOrder.js';
import { runtimeSpanKind } from '../core/runtimeSpanKind.js';
import { decodeSpanEvent } from '../core/records/recordKinds.js';
import { TraceDraft } from '../core/records/TraceDraft.js';
import type { Meta, MetaValue, Trace, TraceEvent, TraceSpan } from '../types.js';
import { listOf, objectOf, textOf } from '../core/jsonShape.js';
import { attributesOf, nanosToMs, type OtlpTracesData } from './otlpJson.js';

/** Service name of spans without a `service.name` resource attribute. */
const UNKNOWN_SERVICE = 'unknown_service';

/** A record read back, with the process that wrote it: records of one process are ordered by `seq`. */
interface Stored {
  record: EventRecord;
  origin: string;
}

interface TraceEntry {
  spans: TraceSpan[];
  stored: Stored[];
  meta?: Meta;
  dropped: number;
}

/** A span read as OTLP/JSON, its fields of another type counted as absent. */
function spanSummary(
  span: Readonly<Record<string, unknown>>,
  spanId: string,
  service: string,
  attributes: Record<string, unknown>,
): TraceSpan {
  const start = nanosToMs(span.startTimeUnixNano);
  const end = nanosToMs(span.endTimeUnixNano);
  const out: TraceSpan = {
    span_id: spanId,
    name: textOf(span.name) ?? '',
    start_time: isoTimestamp(start),
    end_time: isoTimestamp(end),
    duration_ms: Math.round((end - start) * 1000) / 1000,
    service,
  };
  const parent = textOf(span.parentSpanId);
  if (parent) out.parent_id = parent;
  const kind = runtimeSpanKind(attributes);
  if (kind !== undefined) out.kind = kind;
  const tags: Record<string, MetaValue> = {};
  for (const [key, value] of Object.entries(attributes)) {
    // Shown as `kind`, as a live trace shows it.
    if (kind === undefined || key !== ATTR_RUNTIME_KIND) tags[key] = decodeMetaValue(value);
  }
  if (Object.keys(tags).length > 0) out.tags = tags;
  const code = objectOf(span.status)?.code;
  if (code === 2 || code === '2' || code === 'STATUS_CODE_ERROR') out.status = 'error';
  else if (code === 1 || code === '1' || code === 'STATUS_CODE_OK') out.status = 'ok';
  return out;
}

/**
 * The SPEC-shaped JSON of one distributed trace, rebuilt from what Jaeger stored (OTLP/JSON from
 * `/api/v3`): every service's spans, entities merged across services, events in time order, each
 * event and span with its `service`. Each span event is read by the record kind that wrote it
 * (`recordKinds.ts`), and shown in the JSON as a live trace shows it. Returns one Trace per trace
 * id found in `data`.
 *
 * `data` is read, not trusted, and never makes this throw: a field of another type counts as
 * absent (a list that is none as empty; a span, event or attribute that is no object is skipped,
 * and so is a span without a string `traceId`); a time that is no number or string of digits
 * reads as the epoch; an attribute value nested past 32 levels reads as '[Nested]', and meta
 * decoded from JSON text is capped as live meta is (`sanitizeValue`), so the result always prints.
 * @example const [trace] = rebuildTraces(await new JaegerClient().getTrace(traceId));
 */
export function rebuildTraces(data: OtlpTracesData): Trace[] {
  const byTrace = new Map<string, TraceEntry>();
  for (const item of listOf(objectOf(data)?.resourceSpans)) {
    const resourceSpans = objectOf(item);
    if (resourceSpans === undefined) continue;
    const resource = attributesOf(objectOf(resourceSpans.resource)?.attributes);
    const origin = JSON.stringify(resource);
    const service = textOf(resource['service.name']) ?? UNKNOWN_SERVICE;
    for (const scope of listOf(resourceSpans.scopeSpans)) {
      for (const spanItem of listOf(objectOf(scope)?.spans)) {
        const span = objectOf(spanItem);
        const traceId = textOf(span?.traceId);
        if (span === undefined || traceId === undefined) continue;
        const spanId = textOf(span.spanId);
        let entry = byTrace.get(traceId);
        if (entry === undefined)
          byTrace.set(traceId, (entry = { spans: [], stored: [], dropped: 0 }));
        const attributes = attributesOf(span.attributes);
        entry.spans.push(spanSummary(span, spanId ?? '', service, attributes));
        // `stepmark.seq` counts per process: group by the process that wrote the span.
        const writer = `${origin}|${String(attributes[ATTR_PROCESS] ?? '')}`;
        const traceMeta = decodeMeta(attributes, ATTR_TRACE_META_PREFIX);
        if (traceMeta !== undefined) entry.meta = { ...entry.meta, ...traceMeta };
        const dropped = attributes[ATTR_DROPPED_SPAN_EVENTS];
        if (typeof dropped === 'number' && Number.isFinite(dropped)) entry.dropped += dropped;
        for (const eventItem of listOf(span.events)) {
          const otlpEvent = objectOf(eventItem);
          if (otlpEvent === undefined) continue;
          const record = decodeSpanEvent({
            name: textOf(otlpEvent.name) ?? '',
            attributes: attributesOf(otlpEvent.attributes),
            time: nanosToMs(otlpEvent.timeUnixNano),
          });
          if (record === undefined) continue;
          record.spanId = spanId;
          record.service = service;
          entry.stored.push({ record, origin: writer });
        }
      }
    }
  }
  return [...byTrace.entries()].map(([traceId, entry]) => assemble(traceId, entry));
}

/**
 * Records of one process in their recording order (`seq`), the processes merged by time: the
 * spans of one process may disagree by a millisecond, but `seq` does not.
 */
function inRecordingOrder(stored: Stored[]): EventRecord[] {
  const byOrigin = new Map<string, EventRecord[]>();
  for (const { record, origin } of stored) {
    const list = byOrigin.get(origin);
    if (list === undefined) byOrigin.set(origin, [record]);
    else list.push(record);
  }
  const lists = [...byOrigin.values()].map((list) =>
    list.sort((a, b) => (a.seq >= 0 && b.seq >= 0 ? a.seq - b.seq : a.time - b.time)),
  );
  return mergeInOrder(lists, (a, b) => a.time < b.time);
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

function assemble(traceId: string, entry: TraceEntry): Trace {
  const draft = new TraceDraft();
  draft.meta = entry.meta;
  draft.counters.droppedSpanEvents = entry.dropped;
  const records = inRecordingOrder(entry.stored);
  for (const record of records) record.recordKind.show(record, draft);
  const shown = new Map<EventRecord, TraceEvent>();
  const trace = draft.toTrace(traceId, false, (record, event) => shown.set(record, event));
  const order: TraceEvent[] = [];
  for (const record of records) {
    const event = shown.get(record);
    if (event !== undefined) order.push(event);
  }
  RECORDING_ORDER.set(trace, order);
  trace.spans = entry.spans.sort((a, b) => compareText(a.start_time, b.start_time));
  markTasksAndRegions(trace);
  return trace;
}
