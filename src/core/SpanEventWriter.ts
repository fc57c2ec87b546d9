import type { Attributes, AttributeValue, HrTime, Span } from '@opentelemetry/api';
import type { Meta, MetaValue } from '../types.js';
import {
  ATTR_ACTION,
  ATTR_DROPPED_SPAN_EVENTS,
  ATTR_ENTITY_ID,
  ATTR_ENTITY_IDS,
  ATTR_ENTITY_KIND,
  ATTR_META_PREFIX,
  ATTR_STAGE,
  ATTR_TRACE_META_PREFIX,
  EVENT_DECISION,
  EVENT_TRACK,
} from './attributes.js';
import type { DecisionWriter } from './DecisionWriter.js';
import type { EventRecord } from './EventRecord.js';

/** Epoch milliseconds (fractional) as OTel's [seconds, nanoseconds]. */
export function toHrTime(ms: number): HrTime {
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return [seconds, nanos];
}

/** Primitives as they are; null, arrays and objects JSON-encoded (OTel attributes cannot nest). */
function attributeValue(value: MetaValue): AttributeValue {
  return value !== null && typeof value !== 'object' ? value : JSON.stringify(value);
}

/**
 * Prefixed attribute names by meta key. A freshly concatenated key makes V8 hash and internalize
 * the string on every property store; meta keys repeat, so the names are built once. Capped, so
 * that callers using unbounded keys cannot grow it.
 */
const ATTRIBUTE_NAMES = new Map<string, string>();
const MAX_CACHED_NAMES = 4_096;

function attributeName(prefix: string, key: string): string {
  if (prefix !== ATTR_META_PREFIX) return prefix + key;
  let name = ATTRIBUTE_NAMES.get(key);
  if (name === undefined) {
    name = prefix + key;
    if (ATTRIBUTE_NAMES.size < MAX_CACHED_NAMES) ATTRIBUTE_NAMES.set(key, name);
  }
  return name;
}

function addMeta(attributes: Attributes, prefix: string, meta: Meta): void {
  for (const key in meta) {
    attributes[attributeName(prefix, key)] = attributeValue(meta[key] as MetaValue);
  }
}

/** The attributes of one decision or track event, with the names of SPEC.md. */
export function eventAttributes(record: EventRecord): Attributes {
  const attributes: Attributes = {};
  if (!record.isTrack) {
    attributes[ATTR_STAGE] = record.stage;
    attributes[ATTR_ACTION] = record.action;
  }
  if (record.entityId !== undefined) attributes[ATTR_ENTITY_ID] = record.entityId;
  if (record.kind !== undefined) attributes[ATTR_ENTITY_KIND] = record.kind;
  if (record.meta !== undefined) addMeta(attributes, ATTR_META_PREFIX, record.meta);
  return attributes;
}

function droppedEventsOf(span: Span): number {
  const count = (span as { droppedEventsCount?: unknown }).droppedEventsCount;
  return typeof count === 'number' ? count : 0;
}

/**
 * The default DecisionWriter: one span event per record (`stepmark.event` or `stepmark.track`)
 * at the time it was recorded, and `stepmark.entity.ids` on the span.
 * @example new StepmarkSpanProcessor({ writer: new SpanEventWriter() })
 */
export class SpanEventWriter implements DecisionWriter {
  /** Adds the span events; returns how many events the SDK's limit dropped while doing so. */
  write(span: Span, records: readonly EventRecord[], entityIds: readonly string[]): number {
    const before = droppedEventsOf(span);
    for (const record of records) {
      const name = record.isTrack ? EVENT_TRACK : EVENT_DECISION;
      span.addEvent(name, eventAttributes(record), toHrTime(record.time));
    }
    if (entityIds.length > 0) span.setAttribute(ATTR_ENTITY_IDS, entityIds.slice());
    const lost = droppedEventsOf(span) - before;
    // Visible on the span itself, so that a Jaeger reader knows the JSON holds more.
    if (lost > 0) span.setAttribute(ATTR_DROPPED_SPAN_EVENTS, lost);
    return lost;
  }

  /** Sets `stepmark.trace.meta.<key>` on the local root span. */
  writeTraceMeta(span: Span, meta: Meta): void {
    const attributes: Attributes = {};
    addMeta(attributes, ATTR_TRACE_META_PREFIX, meta);
    span.setAttributes(attributes);
  }
}

/** The writer used when no processor is installed (records are written at call time). */
export const defaultWriter: DecisionWriter = new SpanEventWriter();
