import type { EntityHistory } from '../jaeger/entityHistory.js';
import { recordingOrder } from '../jaeger/rebuildTrace.js';
import type {
  Meta,
  RuntimeBlocked,
  RuntimeBlocking,
  Trace,
  TraceEvent,
  TraceLog,
  TraceRuntime,
  TraceSpan,
} from '../types.js';
import { jaegerTraceUrl } from '../jaeger/traceUrl.js';
import { taskAndRegionOf } from '../runtime/taskAndRegionOf.js';
import { terminalText as safe } from './terminalText.js';

// The one timeline of the CLI: `jaeger trace` and `show` print `traceTimeline`, `jaeger entity`
// and `show --entity` print `entityTimeline` (the demo prints `traceTimeline` too). Every field
// read from a trace goes through `safe` before the CLI adds its own colour codes: the codes must
// reach the terminal, control characters in the fields must not.

/** ANSI styling, or none (not a TTY, or NO_COLOR set). */
export interface Style {
  dim(text: string): string;
  bold(text: string): string;
  service(text: string): string;
  action(text: string): string;
}

const ansi = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const COLOR: Style = {
  dim: ansi('2'),
  bold: ansi('1'),
  service: ansi('36'),
  action: ansi('33'),
};
export const PLAIN: Style = { dim: (t) => t, bold: (t) => t, service: (t) => t, action: (t) => t };

/**
 * Colour on a terminal, unless NO_COLOR is set to anything but '' (no-color.org).
 * @example styleFor(process.stdout.isTTY === true, process.env)
 */
export function styleFor(isTty: boolean, env: NodeJS.ProcessEnv): Style {
  return isTty && !env.NO_COLOR ? COLOR : PLAIN;
}

function metaText(meta: Meta | undefined): string {
  if (meta === undefined) return '';
  return Object.entries(meta)
    .map(
      ([key, value]) =>
        // JSON.stringify escapes C0 controls but not C1 or bidi ones, so `safe` runs after it (a
        // JSON escape such as `\n` then shows as `\\n`: the printed text reads back exactly).
        `${safe(key)}=${safe(typeof value === 'string' ? value : JSON.stringify(value))}`,
    )
    .join(' ');
}

function serviceOf(style: Style, service: string | undefined): string {
  return service !== undefined ? `${style.service(`[${safe(service)}]`)} ` : '';
}

/** The clock time of an ISO 8601 timestamp, as the lines of a trace show it. */
const clock = (timestamp: string) => timestamp.slice(11, 23);

function line(style: Style, event: TraceEvent, subject: string, time: string): string {
  const meta = metaText(event.meta);
  return `  ${style.dim(safe(time))}  ${serviceOf(style, event.service)}${style.bold(subject)}  ${safe(event.stage)} ${style.action(safe(event.action))}${meta ? `  ${meta}` : ''}`;
}

/** Milliseconds as the timeline shows them: one decimal. */
const ms = (value: number) => value.toFixed(1);

/** A line of the timeline that is not a decision: a task or region start, a log, a runtime event. */
interface Row {
  timestamp: string;
  text: string;
}

function row(style: Style, timestamp: string, service: string | undefined, text: string): Row {
  return {
    timestamp,
    text: `  ${style.dim(safe(clock(timestamp)))}  ${serviceOf(style, service)}${text}`,
  };
}

/** The start of a task or region: its name, the task it is in, how long it ran. */
function spanRow(style: Style, trace: Trace, span: TraceSpan): Row {
  const kind = span.kind === 'task' ? 'task' : 'region';
  // A region's task is the innermost task around it; a task's, the task it was started in.
  const { task } = taskAndRegionOf(trace, kind === 'task' ? span.parent_id : span.span_id);
  const within =
    task === undefined ? '' : ` (${kind === 'task' ? 'in task' : 'task'} ${safe(task.name)})`;
  const open = span.open === true ? ' so far, open' : '';
  const text = `${kind} ${style.bold(safe(span.name))}${within}  ${ms(span.duration_ms)} ms${open}`;
  return row(style, span.start_time, span.service, text);
}

function logRow(style: Style, log: TraceLog): Row {
  const meta = metaText(log.meta);
  const text = `log ${style.bold(safe(log.category))}: ${safe(log.message)}${meta ? `  ${meta}` : ''}`;
  return row(style, log.timestamp, log.service, text);
}

/** The task and region an entry of `runtime` names, as `task report, region parseReport`. */
function placeText(entry: RuntimeBlocked | RuntimeBlocking): string {
  const parts: string[] = [];
  if (entry.task !== undefined) parts.push(`task ${safe(entry.task)}`);
  if (entry.region !== undefined) parts.push(`region ${safe(entry.region)}`);
  return parts.join(', ');
}

/** Trace ids named on a line are cut to their first 8 characters (`--json` has them whole). */
const shortId = (id: string) => safe(id.slice(0, 8));

/** The garbage collections and the times the event loop was held, one row each. */
function runtimeRows(style: Style, runtime: TraceRuntime): Row[] {
  const rows: Row[] = [];
  for (const gc of runtime.gc ?? []) {
    rows.push(
      row(
        style,
        gc.start_time,
        undefined,
        `${style.action(`GC ${safe(gc.kind)}`)} ${ms(gc.duration_ms)} ms`,
      ),
    );
  }
  for (const b of runtime.blocked ?? []) {
    const by = b.by_trace_id !== undefined ? `trace ${shortId(b.by_trace_id)}` : 'other work';
    const place = placeText(b);
    const text = `${style.action('blocked')} ${ms(b.duration_ms)} ms by ${by}${place ? ` (${place})` : ''}`;
    rows.push(row(style, b.start_time, undefined, text));
  }
  for (const b of runtime.blocking ?? []) {
    const where =
      b.region !== undefined
        ? ` in region ${safe(b.region)}`
        : b.task !== undefined
          ? ` in task ${safe(b.task)}`
          : '';
    const n = b.blocked_trace_ids?.length ?? 0;
    const held = n > 0 ? ` (blocked ${n} request${n === 1 ? '' : 's'})` : '';
    const text = `${style.action('held the loop')} ${ms(b.duration_ms)} ms${where}${held}`;
    rows.push(row(style, b.start_time, undefined, text));
  }
  return rows;
}

/**
 * The summary of a trace's `runtime` (see `TraceRuntime`), and what its lists left out.
 * @example runtimeSummary(rt) // ['runtime: 138.2 ms = own work 8.8 + blocked 105.3 + GC 12.2 + waiting 11.9']
 */
function runtimeSummary(runtime: TraceRuntime): string[] {
  const gc = runtime.gc_ms !== undefined ? ` + GC ${ms(runtime.gc_ms)}` : '';
  const out = [
    `runtime: ${ms(runtime.duration_ms)} ms = own work ${ms(runtime.on_loop_ms)} + blocked ${ms(runtime.blocked_ms)}${gc} + waiting ${ms(runtime.waiting_ms)}`,
  ];
  const dropped =
    (runtime.dropped_gc ?? 0) + (runtime.dropped_blocked ?? 0) + (runtime.dropped_blocking ?? 0);
  if (dropped > 0) out.push(`${dropped} runtime event(s) past the cap not listed`);
  return out;
}

/** The notes under a trace's header: its meta, and what did not make it into the trace. */
function notes(trace: Trace, style: Style): string {
  const out: string[] = [];
  if (trace.meta !== undefined) out.push(`meta ${metaText(trace.meta)}`);
  if (trace.incomplete !== undefined)
    out.push(`incomplete: sent before its root span ended (${safe(trace.incomplete)})`);
  if (trace.dropped_events !== undefined)
    out.push(`${trace.dropped_events} decision(s) dropped by maxEvents`);
  if (trace.dropped_span_events !== undefined)
    out.push(`${trace.dropped_span_events} decision(s) did not fit on their spans`);
  if (trace.runtime !== undefined) out.push(...runtimeSummary(trace.runtime));
  return out.map((note) => `\n  ${style.dim(note)}`).join('');
}

/**
 * The lines of a trace in time order: the decisions in recording order, and between them the
 * starts of its tasks and regions, its logs and its runtime events, each before the first
 * decision recorded after it (timestamps compare as ISO 8601 text).
 */
function timelineRows(
  trace: Trace,
  style: Style,
  decisions: readonly string[],
  order: readonly TraceEvent[],
): string[] {
  const others: Row[] = [
    ...(trace.spans ?? [])
      .filter((span) => span.kind === 'task' || span.kind === 'region')
      .map((span) => spanRow(style, trace, span)),
    ...(trace.logs ?? []).map((log) => logRow(style, log)),
    ...(trace.runtime !== undefined ? runtimeRows(style, trace.runtime) : []),
  ];
  // Array.prototype.sort is stable: rows of the same time keep the order above.
  others.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const out: string[] = [];
  let next = 0;
  order.forEach((event, i) => {
    while (next < others.length && others[next]!.timestamp <= event.timestamp) {
      out.push(others[next++]!.text);
    }
    out.push(decisions[i]!);
  });
  for (; next < others.length; next++) out.push(others[next]!.text);
  return out;
}

/**
 * A trace as a human-readable timeline: a header with the full trace id (the services, for a
 * trace rebuilt from Jaeger), its notes (with the runtime summary), then in time order one line
 * per decision, task or region start, log, GC and time the event loop was held.
 * @example traceTimeline(trace, PLAIN) // 'trace 0af7…319c  3 event(s)\n  12:00:00.001  order order_42  fraud_check cleared  score=0.02\n…'
 */
export function traceTimeline(trace: Trace, style: Style): string {
  const subjectOf = new Map<TraceEvent, string>();
  for (const entity of Object.values(trace.entities ?? {})) {
    const id = safe(entity.entity_id);
    const subject = entity.kind !== undefined ? `${safe(entity.kind)} ${id}` : id;
    for (const event of entity.events) subjectOf.set(event, subject);
  }
  const order = recordingOrder(trace);
  const decisions = order.map((event) =>
    line(style, event, subjectOf.get(event) ?? '(request)', clock(event.timestamp)),
  );
  const services = new Set(
    (trace.spans ?? []).flatMap((s) => (s.service ? [safe(s.service)] : [])),
  );
  // A trace written by the processor itself (a sink's file) does not name its service.
  const where =
    services.size > 0 ? `  ${services.size} service(s): ${[...services].join(', ')}` : '';
  const header = `trace ${style.bold(safe(trace.trace_id))}${where}  ${decisions.length} event(s)`;
  return [`${header}${notes(trace, style)}`, ...timelineRows(trace, style, decisions, order)].join(
    '\n',
  );
}

/**
 * One entity's decisions across traces as a human-readable timeline: dates included, and on
 * each line the full id of the trace it was made in (which `jaeger trace` takes).
 */
export function entityTimeline(history: EntityHistory, style: Style): string {
  const kind = history.kind !== undefined ? `${safe(history.kind)} ` : '';
  const cut =
    history.truncated === true ? ' (search limit reached: older traces may be missing)' : '';
  const header = `${kind}${style.bold(safe(history.entity_id))}  ${history.traces.length} trace(s), ${history.events.length} decision(s)${cut}`;
  const meta =
    history.meta !== undefined ? `\n  ${style.dim(`meta ${metaText(history.meta)}`)}` : '';
  const rows = history.events.map((e) =>
    line(style, e, `trace ${safe(e.trace_id)}`, e.timestamp.slice(0, 23).replace('T', ' ')),
  );
  return [`${header}${meta}`, ...rows].join('\n');
}

/**
 * The line under a timeline that links to the trace in Jaeger's UI (see `jaegerTraceUrl`).
 * @example jaegerLink('http://localhost:16686', id, PLAIN) // '  open in Jaeger: http://localhost:16686/trace/…'
 */
export function jaegerLink(jaegerUrl: string, traceId: string, style: Style): string {
  return `  ${style.dim('open in Jaeger:')} ${safe(jaegerTraceUrl(jaegerUrl, traceId))}`;
}
