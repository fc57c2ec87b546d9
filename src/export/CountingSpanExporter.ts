/** An OTel `ExportResult`: code 0 is success. */
export interface ExportResult {
  code: number;
  error?: Error;
}

/** The part of an OTel `SpanExporter` used here, typed structurally (no SDK import at runtime). */
export interface SpanExporterLike {
  export(spans: unknown[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** What a `CountingSpanExporter` saw. */
export interface ExportCounts {
  /** Spans the backend accepted. */
  exportedSpans: number;
  /** Spans in batches that failed (backend down, timeout, rejected): lost. */
  failedSpans: number;
  failedBatches: number;
  /** The last failure, for a log line or a health check. */
  lastError: string | undefined;
}

/** ExportResultCode.SUCCESS, without importing @opentelemetry/core at runtime. */
const SUCCESS = 0;

/**
 * Wraps a span exporter (e.g. `OTLPTraceExporter` to Jaeger) and counts what reached the
 * backend and what was lost, so that an outage is visible. With a `BatchSpanProcessor` in front
 * (whose queue is capped by `maxQueueSize`), spans dropped at the queue are the ones handed to
 * it minus `exportedSpans` minus `failedSpans`, once flushed.
 * @example const jaeger = new CountingSpanExporter(new OTLPTraceExporter()); new BatchSpanProcessor(jaeger);
 */
export class CountingSpanExporter implements SpanExporterLike {
  readonly #inner: SpanExporterLike;
  readonly #counts: ExportCounts = {
    exportedSpans: 0,
    failedSpans: 0,
    failedBatches: 0,
    lastError: undefined,
  };

  constructor(inner: SpanExporterLike) {
    this.#inner = inner;
  }

  /** Exports through the wrapped exporter and counts the outcome. */
  export(spans: unknown[], resultCallback: (result: ExportResult) => void): void {
    const count = (result: ExportResult) => {
      if (result.code === SUCCESS) {
        this.#counts.exportedSpans += spans.length;
      } else {
        this.#counts.failedSpans += spans.length;
        this.#counts.failedBatches++;
        this.#counts.lastError = result.error?.message ?? 'export failed';
      }
      resultCallback(result);
    };
    try {
      this.#inner.export(spans, count);
    } catch (error) {
      count({ code: 1, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  /** A snapshot of the counters. */
  counts(): ExportCounts {
    return { ...this.#counts };
  }

  /** Flushes the wrapped exporter. */
  async forceFlush(): Promise<void> {
    await this.#inner.forceFlush?.();
  }

  /** Shuts the wrapped exporter down. */
  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
