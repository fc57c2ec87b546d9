import type { EntityHistory } from '../jaeger/entityHistory.js';
import { recordingOrder } from '../jaeger/rebuildTrace.js';
import type { Meta, Trace, TraceEvent } from '../types.js';
import { jaegerTraceUrl } from '../jaeger/traceUrl.js';
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

function line(style: Style, event: TraceEvent, subject: string, time: string): string {
  const service =
    event.service !== undefined ? `${style.service(`[${safe(event.service)}]`)} ` : '';
  const meta = metaText(event.meta);
  return `  ${style.dim(safe(time))}  ${service}${style.bold(subject)}  ${safe(event.stage)} ${style.action(safe(event.action))}${meta ? `  ${meta}` : ''}`;
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
  return out.map((note) => `\n  ${style.dim(note)}`).join('');
}

/**
 * A trace as a human-readable timeline, every event in recording order: a header with the full
 * trace id (the services, for a trace rebuilt from Jaeger), its notes, one line per event.
 * @example traceTimeline(trace, PLAIN) // 'trace 0af7…319c  3 event(s)\n  12:00:00.001  order order_42  fraud_check cleared  score=0.02\n…'
 */
export function traceTimeline(trace: Trace, style: Style): string {
  const subjectOf = new Map<TraceEvent, string>();
  for (const entity of Object.values(trace.entities ?? {})) {
    const id = safe(entity.entity_id);
    const subject = entity.kind !== undefined ? `${safe(entity.kind)} ${id}` : id;
    for (const event of entity.events) subjectOf.set(event, subject);
  }
  const rows = recordingOrder(trace).map((event) =>
    line(style, event, subjectOf.get(event) ?? '(request)', event.timestamp.slice(11, 23)),
  );
  const services = new Set(
    (trace.spans ?? []).flatMap((s) => (s.service ? [safe(s.service)] : [])),
  );
  // A trace written by the processor itself (a sink's file) does not name its service.
  const where =
    services.size > 0 ? `  ${services.size} service(s): ${[...services].join(', ')}` : '';
  const header = `trace ${style.bold(safe(trace.trace_id))}${where}  ${rows.length} event(s)`;
  return [`${header}${notes(trace, style)}`, ...rows].join('\n');
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
