// Per-trace analyses: critical path, duration anomalies, service dependencies, audit trails and
// races across services. Hand-written: named exports only.
export { analyzeTrace, analyzeTraces, type TraceAnalysis } from './analyzeTrace.js';
export { auditTrail, type VariableAudit } from './auditTrail.js';
export { CallOrder, type CallOrdering } from './CallOrder.js';
export { criticalPath } from './criticalPath.js';
export { CriticalPathAnalyzer } from './CriticalPathAnalyzer.js';
export { crossServiceRaces } from './crossServiceRaces.js';
export { DurationAnomalies, type DurationAnomaliesOptions } from './DurationAnomalies.js';
export {
  DurationBaseline,
  type DurationBaselineOptions,
  type DurationStats,
} from './DurationBaseline.js';
export { serviceDependencies } from './serviceDependencies.js';
