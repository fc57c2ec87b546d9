import type { Attributes, HrTime, SpanStatus } from '@opentelemetry/api';
import { hrTimeToMs, toHrTime } from '../core/hrTime.js';
import type { ReadableSpanLike, WritableSpanLike } from '../core/SdkSpan.js';

/**
 * What the JSON needs of an ended span, taken at `onEnd` without its events: a trace is kept
 * (recent traces) long after its spans were exported, and an SDK span holds every span event
 * with its attributes. The attributes and times are the span's own objects, which no longer
 * change once it ended. A span still open when its trace is emitted is taken as it is then
 * (`open`), ended at that moment for the JSON.
 */
export class EndedSpan {
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly name: string;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  /** Whether the span had not ended when this was taken (see `EndedSpan.stillOpen`). */
  readonly open: boolean;

  constructor(span: ReadableSpanLike, open = false) {
    this.spanId = span.spanContext().spanId;
    this.parentId = span.parentSpanContext?.spanId ?? span.parentSpanId;
    this.name = span.name;
    this.startTime = span.startTime;
    this.endTime = span.endTime;
    this.duration = span.duration;
    this.status = span.status;
    this.attributes = span.attributes;
    this.open = open;
  }

  /**
   * A span still open at `nowMs`: its times so far, and a copy of its attributes (the span may
   * still change them). Undefined when the span is not an SDK span (no start time to read).
   */
  static stillOpen(span: WritableSpanLike, nowMs: number): EndedSpan | undefined {
    const startTime = span.startTime;
    if (!Array.isArray(startTime)) return undefined;
    const endMs = Math.max(nowMs, hrTimeToMs(startTime));
    return new EndedSpan(
      {
        name: span.name ?? '',
        spanContext: () => span.spanContext(),
        parentSpanContext: span.parentSpanContext,
        parentSpanId: span.parentSpanId,
        startTime,
        endTime: toHrTime(endMs),
        duration: toHrTime(endMs - hrTimeToMs(startTime)),
        status: span.status ?? { code: 0 },
        attributes: { ...span.attributes },
      },
      true,
    );
  }
}
