import type { Attributes, HrTime, Span, SpanContext, SpanStatus } from '@opentelemetry/api';

/**
 * The parts of an SDK `ReadableSpan` the processor reads, typed structurally so that one build
 * serves `@opentelemetry/sdk-trace-base` 2.x and `@opentelemetry/sdk-trace` 3.x alike.
 */
export interface ReadableSpanLike {
  readonly name: string;
  spanContext(): SpanContext;
  /** 2.x and later. */
  readonly parentSpanContext?: SpanContext | undefined;
  /** 1.x. */
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
}

/** A span that is still writable (what `onStart` and `onEnding` receive). */
export type WritableSpanLike = Span & Partial<ReadableSpanLike>;

/** A local root: no parent, or a parent in another process (remote). */
export function isLocalRoot(span: Partial<ReadableSpanLike>): boolean {
  const parent = span.parentSpanContext;
  if (parent !== undefined) return parent.isRemote === true;
  return span.parentSpanId === undefined || span.parentSpanId === '';
}
