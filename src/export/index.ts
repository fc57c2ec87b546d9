// stepmark-otel/export: sinks for finished traces. Hand-written: named exports only.
export {
  AUDIT_GENESIS,
  chainHash,
  formatAuditLine,
  parseAuditLine,
  type AuditKey,
  type AuditLine,
} from './audit/auditChain.js';
export {
  AuditVerifier,
  type AuditProblem,
  type AuditProblemKind,
  type AuditVerification,
} from './audit/AuditVerifier.js';
export { AuditSink, type AuditSinkOptions } from './AuditSink.js';
export {
  ConsoleSink,
  DEFAULT_CONSOLE_PREFIX,
  type ConsoleFormat,
  type ConsoleSinkOptions,
} from './ConsoleSink.js';
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
export { FileSink, type FileSinkOptions } from './FileSink.js';
export { toGantt } from './formats/toGantt.js';
export { toMermaid, type MermaidDirection, type MermaidOptions } from './formats/toMermaid.js';
export { toSankey } from './formats/toSankey.js';
export { InMemorySink } from './InMemorySink.js';
export {
  KafkaSink,
  type KafkaMessage,
  type KafkaProducerLike,
  type KafkaRecord,
  type KafkaSinkOptions,
  type KafkaSinkStats,
} from './KafkaSink.js';
export { keepWhen, type KeepWhenOptions } from './keepWhen.js';
export { LoggerSink, type LoggerSinkOptions, type PinoLikeLogger } from './LoggerSink.js';
export type { TraceSink } from './TraceSink.js';
