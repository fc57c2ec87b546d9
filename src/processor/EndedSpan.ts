import type { Attributes, HrTime, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpanLike } from '../core/SdkSpan.js';

/**
 * What the JSON needs of an ended span, taken at `onEnd` without its events: a trace is kept
 * (recent traces) long after its spans were exported, and an SDK span holds every span event
 * with its attributes. The attributes and times are the span's own objects, which no longer
 * change once it ended.
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

  constructor(span: ReadableSpanLike) {
    this.spanId = span.spanContext().spanId;
    this.parentId = span.parentSpanContext?.spanId ?? span.parentSpanId;
    this.name = span.name;
    this.startTime = span.startTime;
    this.endTime = span.endTime;
    this.duration = span.duration;
    this.status = span.status;
    this.attributes = span.attributes;
  }
}
