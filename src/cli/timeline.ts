import type { EntityHistory } from '../jaeger/entityHistory.js';
import { recordingOrder } from '../jaeger/rebuildTrace.js';
import type { Meta, Trace, TraceEvent } from '../types.js';
import { terminalText as safe } from './terminalText.js';

// Every field read from a trace goes through `safe` before the CLI adds its own colour codes: the
// codes must reach the terminal, control characters in the fields must not.

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

/** A distributed trace as a human-readable timeline, every event in recording order. */
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
  const header = `trace ${style.bold(safe(trace.trace_id))}  ${services.size} service(s): ${[...services].join(', ')}  ${rows.length} event(s)`;
  const meta = trace.meta !== undefined ? `\n  ${style.dim(`meta ${metaText(trace.meta)}`)}` : '';
  const dropped =
    trace.dropped_span_events !== undefined
      ? `\n  ${style.dim(`${trace.dropped_span_events} decision(s) did not fit on their spans`)}`
      : '';
  return `${header}${meta}${dropped}\n${rows.join('\n')}`;
}

/** One entity's decisions across traces as a human-readable timeline (dates included). */
export function entityTimeline(history: EntityHistory, style: Style): string {
  const kind = history.kind !== undefined ? `${safe(history.kind)} ` : '';
  const cut =
    history.truncated === true ? ' (search limit reached: older traces may be missing)' : '';
  const header = `${kind}${style.bold(safe(history.entity_id))}  ${history.traces.length} trace(s), ${history.events.length} decision(s)${cut}`;
  const meta =
    history.meta !== undefined ? `\n  ${style.dim(`meta ${metaText(history.meta)}`)}` : '';
  const rows = history.events.map((e) =>
    line(
      style,
      e,
      `trace ${safe(e.trace_id.slice(0, 8))}`,
      e.timestamp.slice(0, 23).replace('T', ' '),
    ),
  );
  return `${header}${meta}\n${rows.join('\n')}`;
}
