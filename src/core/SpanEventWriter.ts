import {
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type HrTime,
  type Span,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import type { Meta } from '../types.js';
import {
  ATTR_DROPPED_SPAN_EVENTS,
  ATTR_ENTITY_IDS,
  ATTR_ENTITY_IDS_DROPPED,
  ATTR_OVERFLOW_OF,
  ATTR_PROCESS,
} from './attributes.js';
import { appendSpanEvent } from './appendSpanEvent.js';
import type { DecisionWriter } from './DecisionWriter.js';
import { hrTimeToMs, toHrTime } from './hrTime.js';
import { entityIdsOf, type EventRecord } from './records/EventRecord.js';
import { encodeMeta, TRACE_META_NAMES } from './records/metaAttributes.js';
import { registry } from './registry.js';

/** Entity ids listed on one span; more are counted in ATTR_ENTITY_IDS_DROPPED. */
export const MAX_ENTITY_IDS_PER_SPAN = 1_000;
/** The SDK's default span event limit, used when a span does not show its own. */
const DEFAULT_EVENT_LIMIT = 128;

/**
 * How many more events `span` takes before the SDK starts dropping its oldest ones (which may be
 * the application's own, such as exceptions). The limit is read from the SDK span (2.x and 3.x
 * keep it in `_spanLimits`); a span that shows neither limit nor events is assumed to take all.
 */
function roomOn(span: Span): number {
  const sdk = span as { events?: unknown; _spanLimits?: { eventCountLimit?: unknown } };
  if (!Array.isArray(sdk.events)) return Number.POSITIVE_INFINITY;
  const limit = sdk._spanLimits?.eventCountLimit;
  const max = typeof limit === 'number' ? limit : DEFAULT_EVENT_LIMIT;
  return Math.max(0, max - sdk.events.length);
}

/** The time to give the SDK for a record: a performance timestamp, or epoch time under a custom clock. */
function timeOf(record: EventRecord): TimeInput {
  return Number.isNaN(record.perf) ? toHrTime(record.time) : record.perf;
}

/** `performance.timeOrigin`, fixed for the process; its getter costs a native call per read. */
const TIME_ORIGIN = performance.timeOrigin;

/**
 * Epoch milliseconds of a performance timestamp on `span`'s own clock, or undefined when the span
 * does not show it. An SDK span anchors its clock on its own Date.now() reading: it maps a
 * performance timestamp `p` to `timeOrigin + p + _performanceOffset` (sdk-trace 2.x and 3.x).
 * Doing that here lets the event be given as HrTime, which the SDK takes as is, instead of a
 * number it checks against a second clock reading and converts through three arrays.
 */
function onSpanClock(span: Span, perf: number): number | undefined {
  const offset = (span as { _performanceOffset?: unknown })._performanceOffset;
  return typeof offset === 'number' && !Number.isNaN(perf)
    ? TIME_ORIGIN + perf + offset
    : undefined;
}

/** Adds records [from, to) as span events; the JSON takes the time the span gave each. */
function addEvents(span: Span, records: readonly EventRecord[], from: number, to: number): void {
  if (to > from) span.setAttribute(ATTR_PROCESS, registry.processId);
  const written = (span as { events?: unknown }).events;
  const log = Array.isArray(written) ? (written as Array<{ time?: unknown }>) : undefined;
  const spanId = span.spanContext().spanId;
  for (let i = from; i < to; i++) {
    const record = records[i] as EventRecord;
    const kind = record.recordKind;
    const name = kind.eventName(record);
    const attributes = kind.encode(record);
    const time = onSpanClock(span, record.perf);
    record.spanId = spanId;
    if (record.marksError) markError(span, name);
    if (time !== undefined) {
      const hrTime = toHrTime(time);
      if (!appendSpanEvent(span, name, attributes, hrTime)) span.addEvent(name, attributes, hrTime);
      record.time = time;
      continue;
    }
    span.addEvent(name, attributes, timeOf(record));
    // Each span anchors its clock on its own Date.now() reading; take the time it assigned.
    const assigned = log?.[log.length - 1]?.time;
    if (Array.isArray(assigned)) record.time = hrTimeToMs(assigned as HrTime);
  }
}

/**
 * Error status for a decision of `errorActions`, its message the decision (`fraud_check:
 * blocked`). A status the application set is its own: an error keeps its message, and OK is final.
 */
function markError(span: Span, decision: string): void {
  const status = (span as { status?: { code?: unknown } }).status;
  if (status?.code === SpanStatusCode.ERROR || status?.code === SpanStatusCode.OK) return;
  span.setStatus({ code: SpanStatusCode.ERROR, message: decision });
}

/** Lists `ids` (merged with ids already on the span) in `stepmark.entity.ids`, capped. */
function setEntityIds(span: Span, ids: readonly string[]): void {
  if (ids.length === 0) return;
  const all = mergedIds(span, ids);
  span.setAttribute(ATTR_ENTITY_IDS, all.slice(0, MAX_ENTITY_IDS_PER_SPAN));
  if (all.length > MAX_ENTITY_IDS_PER_SPAN) {
    span.setAttribute(ATTR_ENTITY_IDS_DROPPED, all.length - MAX_ENTITY_IDS_PER_SPAN);
  }
}

/** Entity ids already listed on the span (by another session's write), merged with `ids`. */
function mergedIds(span: Span, ids: readonly string[]): string[] {
  const existing = (span as { attributes?: Record<string, unknown> }).attributes?.[ATTR_ENTITY_IDS];
  if (!Array.isArray(existing) || existing.length === 0) return ids.slice();
  return [...new Set([...(existing as string[]), ...ids])];
}

/** Name of the child spans that carry decisions past their span's event limit. */
export const OVERFLOW_SPAN = 'stepmark.overflow';

/** Options of `SpanEventWriter`. */
export interface SpanEventWriterOptions {
  /**
   * Tracer of the overflow spans. Default: the global tracer provider's (what `NodeSDK` and
   * `provider.register()` set). A tracer whose spans do not record leaves the rest counted.
   */
  overflowTracer?: Tracer;
}

/**
 * The default DecisionWriter: one span event per record, as its record kind encodes it
 * (`fraud_check: blocked`, `stepmark.track`, ...), at the time it was recorded, and
 * `stepmark.entity.ids` on the span. Decisions past the span's event limit go on child spans
 * named `stepmark.overflow`, so that none is lost in the backend and none pushes out the
 * application's own events.
 * @example new StepmarkSpanProcessor({ writer: new SpanEventWriter({ overflowTracer: provider.getTracer('stepmark') }) })
 */
export class SpanEventWriter implements DecisionWriter {
  readonly #overflowTracer: Tracer | undefined;

  constructor(options: SpanEventWriterOptions = {}) {
    this.#overflowTracer = options.overflowTracer;
  }

  /**
   * Writes the records on `span` (as many as its limit has room for) and the rest on overflow
   * child spans; returns how many no span could take. The JSON keeps them all.
   */
  write(
    span: Span,
    records: readonly EventRecord[],
    entityIds: readonly string[],
    overflow = true,
  ): number {
    const first = Math.min(records.length, roomOn(span));
    addEvents(span, records, 0, first);
    if (entityIds.length > 0) setEntityIds(span, entityIds);
    let next = first;
    while (overflow && next < records.length) {
      const overflow = this.#overflowSpan(span, records[next] as EventRecord);
      const take = overflow === undefined ? 0 : Math.min(records.length - next, roomOn(overflow));
      if (overflow === undefined || take === 0) {
        overflow?.end();
        break;
      }
      const chunk = records.slice(next, next + take);
      addEvents(overflow, chunk, 0, take);
      setEntityIds(overflow, entityIdsOf(chunk));
      overflow.end(timeOf(chunk[chunk.length - 1] as EventRecord));
      next += take;
    }
    const lost = records.length - next;
    if (lost > 0) {
      // Visible on the span itself, so that a Jaeger reader knows the JSON holds more.
      const before = (span as { attributes?: Record<string, unknown> }).attributes?.[
        ATTR_DROPPED_SPAN_EVENTS
      ];
      span.setAttribute(ATTR_DROPPED_SPAN_EVENTS, (typeof before === 'number' ? before : 0) + lost);
    }
    return lost;
  }

  /** A recording child span of `parent` starting at `record`, or undefined when none records. */
  #overflowSpan(parent: Span, record: EventRecord): Span | undefined {
    const tracer = this.#overflowTracer ?? trace.getTracer(OVERFLOW_TRACER);
    const child = tracer.startSpan(
      OVERFLOW_SPAN,
      {
        startTime: timeOf(record),
        attributes: { [ATTR_OVERFLOW_OF]: parent.spanContext().spanId },
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    if (child.isRecording() && child.spanContext().traceId === parent.spanContext().traceId)
      return child;
    child.end();
    return undefined;
  }

  /** Sets the request's summary (`stepmark.decisions`, `stepmark.outcomes`) on the local root span. */
  writeSummary(span: Span, summary: Attributes): void {
    span.setAttributes(summary);
  }

  /** Sets `stepmark.trace.meta.<key>` on the local root span. */
  writeTraceMeta(span: Span, meta: Meta): void {
    const attributes: Attributes = {};
    encodeMeta(attributes, TRACE_META_NAMES, meta);
    span.setAttributes(attributes);
  }
}

/** Instrumentation scope of the overflow spans. */
const OVERFLOW_TRACER = 'stepmark-otel';

/** The writer used when no processor is installed (records are written at call time). */
export const defaultWriter: DecisionWriter = new SpanEventWriter();
