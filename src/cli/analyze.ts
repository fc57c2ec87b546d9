import { analyzeTrace, type TraceAnalysis } from '../analysis/analyzeTrace.js';
import { DurationAnomalies } from '../analysis/DurationAnomalies.js';
import { rebuildTraces } from '../jaeger/rebuildTrace.js';
import type { MetaValue, StateAccess, Trace } from '../types.js';
import { failure, type CliResult } from './CliResult.js';
import type { JaegerCommandOptions } from './jaegerCommands.js';
import { isFailure, readTraceFile, type TraceInput } from './readTraceFile.js';
import { terminalText as safe } from './terminalText.js';
import { jaegerLink, type Style } from './timeline.js';

// Every field printed comes from a trace, so from anyone who can put a string into one: each
// goes through `safe` (after JSON.stringify for values, which leaves C1 and bidi controls) before
// the CLI adds its own colour codes. --json prints exact JSON, one object per line, for programs.

/** How `analyze` runs on a file. */
export interface AnalyzeOptions extends TraceInput {
  /** One JSON object per trace (JSON Lines) instead of text. */
  json: boolean;
  style: Style;
}

const valueText = (value: MetaValue | undefined): string =>
  value === undefined ? '' : safe(typeof value === 'string' ? value : JSON.stringify(value));

const ms = (value: number): string => `${Math.round(value * 1000) / 1000} ms`;

/** The time of day of an ISO timestamp, as the timelines print it. */
const clock = (timestamp: string): string => safe(timestamp.slice(11, 23));

function accessText(access: StateAccess, style: Style): string {
  const service =
    access.service !== undefined ? `${style.service(`[${safe(access.service)}]`)} ` : '';
  const value = access.value !== undefined ? ` ${valueText(access.value)}` : '';
  const old = access.old_value !== undefined ? ` (was ${valueText(access.old_value)})` : '';
  const location = access.location !== undefined ? `  at ${safe(access.location)}` : '';
  const locks =
    access.locks !== undefined && access.locks.length > 0
      ? `  holding ${access.locks.map(safe).join(', ')}`
      : '';
  return (
    `${style.dim(clock(access.timestamp))}  ${service}${style.action(safe(access.access))}${value}${old}` +
    `  task ${safe(access.task_id)}  seq ${access.seq}${location}${locks}`
  );
}

function racesText(analysis: TraceAnalysis, traceId: string, style: Style): string[] {
  const races = analysis.races ?? [];
  if (races.length === 0) return [`  ${style.bold('races')}: none`];
  const out = [`  ${style.bold('races')}: ${races.length}`];
  for (const race of races) {
    out.push(`    ${style.action(safe(race.kind))}  ${style.bold(safe(race.variable))}`);
    for (const access of race.accesses) {
      const other = access.trace_id !== traceId ? `  trace ${safe(access.trace_id)}` : '';
      out.push(`      ${accessText(access, style)}${other}`);
    }
  }
  return out;
}

function auditText(analysis: TraceAnalysis, style: Style): string[] {
  const trail = analysis.audit_trail ?? [];
  if (trail.length === 0) return [`  ${style.bold('audit trail')}: no state accesses`];
  const out = [`  ${style.bold('audit trail')}`];
  for (const { variable, accesses } of trail) {
    out.push(`    ${style.bold(safe(variable))}  ${accesses.length} access(es)`);
    for (const access of accesses) {
      const link =
        access.previous === undefined
          ? ''
          : `  ${style.dim(`after seq ${access.previous.seq}, ${access.previous.happens_before ? 'happens before' : 'concurrent'}`)}`;
      out.push(`      ${accessText(access, style)}${link}`);
    }
  }
  return out;
}

function pathText(analysis: TraceAnalysis, style: Style): string[] {
  const path = analysis.critical_path;
  if (path === undefined) return [`  ${style.bold('critical path')}: no timed spans`];
  const out = [`  ${style.bold('critical path')}: ${ms(path.duration_ms)}`];
  for (const segment of path.segments) {
    const service =
      segment.service !== undefined ? `${style.service(`[${safe(segment.service)}]`)} ` : '';
    const open = segment.open === true ? '  (open)' : '';
    out.push(
      `    ${style.dim(`+${ms(segment.start_ms)}`)}  ${service}${safe(segment.name)}  ${style.bold(ms(segment.self_ms))}${open}`,
    );
  }
  return out;
}

function anomaliesText(analysis: TraceAnalysis, style: Style): string[] {
  const anomalies = analysis.anomalies ?? [];
  if (anomalies.length === 0) return [`  ${style.bold('duration anomalies')}: none`];
  return [
    `  ${style.bold('duration anomalies')}: ${anomalies.length}`,
    ...anomalies.map(
      (a) =>
        `    ${safe(a.name)}  ${style.bold(ms(a.duration_ms))}  mean ${ms(a.baseline_mean_ms)} ± ${ms(a.baseline_stddev_ms)}` +
        `  ${style.action(`${a.score} stddev above`)}  (${a.samples} earlier span(s))  span ${safe(a.span_id)}`,
    ),
  ];
}

function dependenciesText(analysis: TraceAnalysis, style: Style): string[] {
  const dependencies = analysis.dependencies ?? [];
  if (dependencies.length === 0) return [`  ${style.bold('service dependencies')}: none`];
  return [
    `  ${style.bold('service dependencies')}`,
    ...dependencies.map(
      (d) =>
        `    ${style.service(safe(d.from))} -> ${style.service(safe(d.to))}  ${d.calls} call(s)`,
    ),
  ];
}

/**
 * One trace's analysis as text: a header (trace id, services), then races, the audit trail per
 * variable, the critical path, duration anomalies and service dependencies, each section said to
 * be empty when it is.
 * @example analysisText(analyzeTrace(trace), trace, PLAIN)
 */
export function analysisText(analysis: TraceAnalysis, trace: Trace, style: Style): string {
  const services = new Set(
    (trace.spans ?? []).flatMap((s) => (typeof s.service === 'string' ? [safe(s.service)] : [])),
  );
  const where =
    services.size > 0 ? `  ${services.size} service(s): ${[...services].join(', ')}` : '';
  return [
    `trace ${style.bold(safe(analysis.trace_id))}${where}`,
    ...racesText(analysis, analysis.trace_id, style),
    ...auditText(analysis, style),
    ...pathText(analysis, style),
    ...anomaliesText(analysis, style),
    ...dependenciesText(analysis, style),
  ].join('\n');
}

/**
 * `stepmark-otel analyze <file | ->`: every analysis of each trace of a file (JSON, a JSON array,
 * JSON Lines), duration anomalies judged against the traces before it in the file. Lines that
 * hold no trace are named on stderr and skipped; exit 1 when no trace is left.
 */
export async function analyze(path: string, options: AnalyzeOptions): Promise<CliResult> {
  const read = await readTraceFile(path, 'analyze', options);
  if (isFailure(read)) return read;
  const { name, file, notes } = read;
  if (file.traces.length === 0)
    return { code: 1, stdout: '', stderr: `${notes}${safe(`no trace in ${name}`)}\n` };
  const anomalies = new DurationAnomalies();
  const shown = file.traces.map((trace) => {
    const analysis = analyzeTrace(trace, anomalies);
    return options.json ? JSON.stringify(analysis) : analysisText(analysis, trace, options.style);
  });
  return { code: 0, stdout: `${shown.join(options.json ? '\n' : '\n\n')}\n`, stderr: notes };
}

/**
 * `stepmark-otel analyze --trace <traceId>`: every analysis of one distributed trace rebuilt from
 * Jaeger (all services), then its link in Jaeger's UI (not with `--json`). Errors of the client
 * propagate, as for the other Jaeger commands.
 */
export async function analyzeJaeger(id: string, options: JaegerCommandOptions): Promise<CliResult> {
  const [trace] = rebuildTraces(await options.client.getTrace(id));
  if (trace === undefined) return failure(1, `trace ${id} not found in Jaeger at ${options.url}`);
  const analysis = analyzeTrace(trace);
  const shown = options.json
    ? JSON.stringify(analysis)
    : `${analysisText(analysis, trace, options.style)}\n${jaegerLink(options.url, id, options.style)}`;
  return { code: 0, stdout: `${shown}\n`, stderr: '' };
}
