// stepmark-otel/export: sinks for finished traces. Hand-written: named exports only.
export { ConsoleSink } from './ConsoleSink.js';
export {
  CountingSpanExporter,
  type ExportCounts,
  type ExportResult,
  type SpanExporterLike,
} from './CountingSpanExporter.js';
export {
  CountingSpanProcessor,
  type DeliveryCounts,
  type SpanProcessorLike,
} from './CountingSpanProcessor.js';
export { FileSink } from './FileSink.js';
export { InMemorySink } from './InMemorySink.js';
export type { TraceSink } from './TraceSink.js';
