// stepmark-otel: the recording API and the SpanProcessor. Hand-written: named exports only.
export { collect } from './core/collect.js';
export { enable, enabled } from './core/enable.js';
export { enter, enterEntity, type Exit } from './core/enter.js';
export { record, recordEntity, step, stepEntity, track } from './core/record.js';
export type { EntityId, MetaInput } from './core/record.js';
export { scope, type Scope } from './core/scope.js';
export { withTracing, WITH_TRACING_SPAN } from './core/withTracing.js';
export { addTag, span } from './core/flowSpan.js';
export {
  logFields,
  pinoMixin,
  winstonFormat,
  type LogFields,
  type WinstonFormatLike,
} from './logs/logFields.js';
export { stats, type RegistryStats } from './core/registry.js';
export type { StepmarkOptions } from './core/options.js';
export { checkOptions } from './core/checkOptions.js';
export type { Misconfiguration } from './core/diagnostics.js';
export { DEFAULT_REDACT_KEYS, REDACTED } from './core/redaction/Redactor.js';
export type { ValueRule } from './core/redaction/valueRules.js';
export { META_BUDGET } from './core/sanitize.js';
export {
  ATTR_ACTION,
  ATTR_CONVENTIONS_VERSION,
  ATTR_DECISIONS,
  ATTR_DROPPED_SPAN_EVENTS,
  ATTR_ENTITY_ID,
  ATTR_ENTITY_IDS,
  ATTR_ENTITY_IDS_DROPPED,
  ATTR_ENTITY_KIND,
  ATTR_LOG_CATEGORY,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_REGION,
  ATTR_LOG_TASK,
  ATTR_META_PREFIX,
  ATTR_OUTCOMES,
  ATTR_OVERFLOW_OF,
  ATTR_PROCESS,
  ATTR_RACE_ACCESSES,
  ATTR_RACE_KIND,
  ATTR_RACE_VARIABLE,
  ATTR_RUNTIME_ENDED_BY_PARENT,
  ATTR_RUNTIME_KIND,
  ATTR_SEQ,
  ATTR_STAGE,
  ATTR_STATE_ACCESS,
  ATTR_STATE_LOCATION,
  ATTR_STATE_LOCKS,
  ATTR_STATE_OLD_VALUE,
  ATTR_STATE_PREVIOUS,
  ATTR_STATE_PREVIOUS_HB,
  ATTR_STATE_TASK,
  ATTR_STATE_VALUE,
  ATTR_STATE_VARIABLE,
  ATTR_TRACE_META_PREFIX,
  CONVENTIONS_VERSION,
  EVENT_DECISION,
  EVENT_RACE,
  EVENT_TRACK,
} from './core/attributes.js';
export type { DecisionWriter } from './core/DecisionWriter.js';
export type { EventRecord } from './core/records/EventRecord.js';
export type { RecordKind, StoredSpanEvent } from './core/records/RecordKind.js';
export type { TraceAnalyzer } from './processor/TraceAnalyzer.js';
export { EntityOutcomes } from './analysis/EntityOutcomes.js';
export {
  analyzeTrace,
  analyzeTraces,
  auditTrail,
  CallOrder,
  criticalPath,
  CriticalPathAnalyzer,
  crossServiceRaces,
  DurationAnomalies,
  DurationBaseline,
  serviceDependencies,
  type CallOrdering,
  type DurationAnomaliesOptions,
  type DurationBaselineOptions,
  type DurationStats,
  type TraceAnalysis,
  type VariableAudit,
} from './analysis/index.js';
export {
  OVERFLOW_SPAN,
  SpanEventWriter,
  type SpanEventWriterOptions,
} from './core/SpanEventWriter.js';
export {
  StepmarkSpanProcessor,
  type StepmarkProcessorStats,
  type StepmarkSpanProcessorOptions,
} from './processor/StepmarkSpanProcessor.js';
export { mergeTraces } from './processor/mergeTraces.js';
export {
  BAGGAGE_KEY,
  fetchWithPropagation,
  injectMessageHeaders,
  propagationHeaders,
  SIGNATURE_KEY,
  StepmarkSampler,
  TRIGGERED_ATTRIBUTE,
  undiciPropagation,
  withPropagation,
  type PropagationHeaders,
  type SamplerLike,
  type SamplingResultLike,
} from './propagation/index.js';
export type { TraceSink } from './export/TraceSink.js';
export { InMemorySink } from './export/InMemorySink.js';
export type {
  EntityTrace,
  IncompleteReason,
  Meta,
  MetaValue,
  Trace,
  TraceEvent,
  TraceLog,
  TraceSpan,
  RuntimeSpanKind,
  EntityOutcome,
  CriticalPath,
  CriticalPathSegment,
  DurationAnomaly,
  Race,
  RaceKind,
  ServiceDependency,
  StateAccess,
  StateAccessKind,
  TraceRuntime,
} from './types.js';
