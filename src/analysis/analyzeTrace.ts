import type { CriticalPath, DurationAnomaly, Race, ServiceDependency, Trace } from '../types.js';
import { auditTrail, type VariableAudit } from './auditTrail.js';
import { criticalPath } from './criticalPath.js';
import { crossServiceRaces } from './crossServiceRaces.js';
import { DurationAnomalies, type DurationAnomaliesOptions } from './DurationAnomalies.js';
import { serviceDependencies } from './serviceDependencies.js';
import { racesOf } from './traceState.js';

/** What `analyzeTrace` found in one trace; empty fields are omitted, as in the trace JSON. */
export interface TraceAnalysis {
  trace_id: string;
  /** The races the trace carries (found in process) and those between its services. */
  races?: Race[];
  /** Every access of each variable, in order (`auditTrail`). */
  audit_trail?: VariableAudit[];
  critical_path?: CriticalPath;
  /** Spans much slower than the same names in the traces analysed before (`DurationAnomalies`). */
  anomalies?: DurationAnomaly[];
  dependencies?: ServiceDependency[];
}

/**
 * Every analysis of one trace: races (those it carries, and `crossServiceRaces`), the audit
 * trail per variable, the critical path, service dependencies, and, given `anomalies`, the spans
 * anomalous against its baseline, after which the trace's durations are added to it. Does not
 * change `trace`.
 * @example analyzeTrace(trace, new DurationAnomalies()).races
 */
export function analyzeTrace(trace: Trace, anomalies?: DurationAnomalies): TraceAnalysis {
  const out: TraceAnalysis = { trace_id: trace.trace_id };
  const races = [...racesOf(trace), ...crossServiceRaces(trace)];
  if (races.length > 0) out.races = races;
  const audit = auditTrail(trace);
  if (audit.length > 0) out.audit_trail = audit;
  const path = criticalPath(trace);
  if (path !== undefined) out.critical_path = path;
  if (anomalies !== undefined) {
    const found = anomalies.anomaliesOf(trace);
    if (found.length > 0) out.anomalies = found;
    anomalies.learn(trace);
  }
  const dependencies = serviceDependencies(trace);
  if (dependencies.length > 0) out.dependencies = dependencies;
  return out;
}

/**
 * `analyzeTrace` of each trace in order, the duration baseline built over them as they come
 * (each trace judged against the ones before it). Options as `DurationAnomalies` takes them.
 * @example analyzeTraces(parseTraceFile(text, 'traces.jsonl').traces)
 */
export function analyzeTraces(
  traces: readonly Trace[],
  options: DurationAnomaliesOptions = {},
): TraceAnalysis[] {
  const anomalies = new DurationAnomalies(options);
  return traces.map((trace) => analyzeTrace(trace, anomalies));
}
