import type { Attributes, Span } from '@opentelemetry/api';
import type { Meta } from '../types.js';
import type { EventRecord } from './records/EventRecord.js';

/**
 * Writes recorded decisions into OpenTelemetry data. Span events today (`SpanEventWriter`);
 * the interface is what a Logs-API output (OTEP 4430) would implement.
 */
export interface DecisionWriter {
  /**
   * Writes `records` on `span`, which is still recording, and marks the span with the entity ids
   * it touched; records past the span's event limit go on overflow spans when `overflow` is not
   * false. Returns how many records no span took.
   */
  write(
    span: Span,
    records: readonly EventRecord[],
    entityIds: readonly string[],
    overflow?: boolean,
  ): number;
  /** Writes request-level meta on the local root span. */
  writeTraceMeta(span: Span, meta: Meta): void;
  /**
   * Writes the request's summary (`requestSummary`: decisions, outcomes, conventions' version) on
   * the local root span. Optional: a writer without it leaves the summary out.
   */
  writeSummary?(span: Span, summary: Attributes): void;
}
