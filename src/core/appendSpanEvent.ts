import type { Attributes, HrTime, Span } from '@opentelemetry/api';

/** The parts of an SDK span (sdk-trace 2.x and 3.x) that `appendSpanEvent` reads and writes. */
interface SdkSpanEvents {
  events?: unknown;
  _ended?: unknown;
  _spanLimits?: { attributePerEventCountLimit?: unknown; attributeValueLengthLimit?: unknown };
}

/**
 * Appends a span event to an SDK span as `span.addEvent` would, without its checks and copies,
 * which our attributes do not need: they are new objects of strings, finite numbers and
 * booleans, made for this event alone, and the caller has checked the event-count limit. That
 * is what `addEvent` costs beyond the push (validating and copying every attribute, converting
 * the time): most of a span event's cost. Returns false, having written nothing, when anything
 * `addEvent` would enforce applies (an attribute-count or value-length limit, an ended span) or
 * the span does not look like an SDK span; the caller then calls `addEvent`. The event is the
 * SDK's own shape (`TimedEvent`: name, attributes, time, droppedAttributesCount).
 */
export function appendSpanEvent(
  span: Span,
  name: string,
  attributes: Attributes,
  time: HrTime,
): boolean {
  const sdk = span as SdkSpanEvents;
  const events = sdk.events;
  const limits = sdk._spanLimits;
  if (!Array.isArray(events) || limits === undefined || sdk._ended !== false) return false;
  const valueLimit = limits.attributeValueLengthLimit;
  if (typeof valueLimit === 'number' && Number.isFinite(valueLimit)) return false;
  const countLimit = limits.attributePerEventCountLimit;
  if (typeof countLimit === 'number' && countOf(attributes, countLimit) > countLimit) return false;
  const before = events.length;
  events.push({ name, attributes, time, droppedAttributesCount: 0 });
  // A span whose `events` is a copy (a getter) did not take it: the caller adds it the slow way.
  if ((sdk.events as unknown[]).length === before + 1) return true;
  return false;
}

/** The number of keys of `attributes`, counted up to one past `limit`. */
function countOf(attributes: Attributes, limit: number): number {
  let n = 0;
  for (const _ in attributes) if (++n > limit) break;
  return n;
}
