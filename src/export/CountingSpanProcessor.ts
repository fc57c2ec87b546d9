import type { Context } from '@opentelemetry/api';
import type { ExportCounts } from './CountingSpanExporter.js';

/** The part of an OTel `SpanProcessor` used here, typed structurally (no SDK import at runtime). */
export interface SpanProcessorLike {
  onStart(span: never, parentContext: Context): void;
  onEnd(span: never): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** What reached the backend, what was lost, and where. */
export interface DeliveryCounts extends ExportCounts {
  /** Sampled spans handed to the wrapped processor (e.g. a BatchSpanProcessor). */
  handedOff: number;
  /**
   * Spans neither exported nor failed: dropped at the processor's capped queue, or still queued
   * or in flight. After `forceFlush`, all of them were dropped.
   */
  notDelivered: number;
}

/**
 * Wraps a span processor, typically `BatchSpanProcessor(new CountingSpanExporter(...))`, and
 * counts the spans handed to it, so that spans dropped at its capped queue are counted too.
 * @example
 * const exporter = new CountingSpanExporter(new OTLPTraceExporter());
 * const jaeger = new CountingSpanProcessor(new BatchSpanProcessor(exporter), exporter);
 * jaeger.counts(); // { handedOff, exportedSpans, failedSpans, notDelivered, ... }
 */
export class CountingSpanProcessor implements SpanProcessorLike {
  readonly #inner: SpanProcessorLike;
  readonly #exporter: { counts(): ExportCounts };
  #handedOff = 0;

  constructor(inner: SpanProcessorLike, exporter: { counts(): ExportCounts }) {
    this.#inner = inner;
    this.#exporter = exporter;
  }

  /** Passes the span on. */
  onStart(span: never, parentContext: Context): void {
    this.#inner.onStart(span, parentContext);
  }

  /** Counts the span (when sampled) and passes it on. */
  onEnd(span: never): void {
    const sampled = (span as { spanContext?: () => { traceFlags: number } }).spanContext?.();
    if (sampled === undefined || (sampled.traceFlags & 1) === 1) this.#handedOff++;
    this.#inner.onEnd(span);
  }

  /** The counters of delivery so far. */
  counts(): DeliveryCounts {
    const exported = this.#exporter.counts();
    return {
      ...exported,
      handedOff: this.#handedOff,
      notDelivered: this.#handedOff - exported.exportedSpans - exported.failedSpans,
    };
  }

  /** Flushes the wrapped processor. */
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  /** Shuts the wrapped processor down. */
  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
