import type { Trace } from '../../types.js';
import { entity, mermaidText } from './mermaidText.js';
import {
  durationMicros,
  durationText,
  forestOf,
  formatMs,
  nameOf,
  startMillis,
} from './spanValues.js';
import { spansInOrder } from './spanTree.js';

/**
 * Words the gantt lexer reads as a statement when a line starts with them (`click`, `section`,
 * `title`, `dateFormat`, a `2024-01-01` date, ...), as prefixes so that a longer word is covered
 * too. A task name starting with one gets its first character as an entity code.
 */
const STATEMENT_START =
  /^(?:acc|call|click|href|gantt|date|inclusive|top|axis|tick|include|exclude|today|week|title|section|\d)/i;

/**
 * The trace's spans as a Mermaid gantt chart: one section per root span (named after it), one
 * task per span in display order (each span before its children, siblings by start time), so the
 * bars show what ran when. Starts are epoch milliseconds (`dateFormat x`), lengths `ms` with up
 * to 3 decimals, and the axis reads `HH:MM:SS.mmm` in the viewer's time zone; Mermaid draws on
 * JavaScript dates, whole milliseconds, so a span under 1 ms is a line, its exact duration in its
 * name. Task ids are `n0, n1, …` as in `toMermaid`; task names
 * are the span's name and `(12.5 ms)`, escaped with Mermaid's entity codes (`:`, `#`, `;` included)
 * and with a leading statement word (`click`, `section`, ...) defused. Error spans are `crit`,
 * open spans `active`. A span whose `start_time` does not parse has no place on the axis and is
 * left out. A trace with no spans gives the header alone; a malformed trace never throws.
 * @example toGantt(trace) // 'gantt\n  title 4bf9…\n  dateFormat x\n  …'
 */
export function toGantt(trace: Trace): string {
  const lines = ['gantt'];
  const traceId: unknown = trace !== null && typeof trace === 'object' ? trace.trace_id : undefined;
  if (typeof traceId === 'string' && traceId.trim() !== '')
    lines.push(`  title trace ${mermaidText(traceId)}`);
  lines.push('  dateFormat x', '  axisFormat %H:%M:%S.%L', '  todayMarker off');
  spansInOrder(forestOf(trace)).forEach((node, index) => {
    const span = node.span;
    if (node.depth === 0) lines.push(`  section ${mermaidText(nameOf(span))}`);
    const start = startMillis(span);
    if (start === undefined) return;
    const marks: string[] = [];
    if (span.status === 'error') marks.push('crit');
    if (span.open === true) marks.push('active');
    const data = [...marks, `n${index}`, String(start), `${formatMs(durationMicros(span))}ms`];
    lines.push(`    ${taskName(nameOf(span))} (${durationText(span)}) :${data.join(', ')}`);
  });
  return `${lines.join('\n')}\n`;
}

/** The escaped name, its first character an entity code when the line would read as a statement. */
function taskName(name: string): string {
  // The lexer skips leading spaces and would read a statement word after them: escape the space.
  if (!name.startsWith(' ') && !STATEMENT_START.test(name)) return mermaidText(name);
  const first = String.fromCodePoint(name.codePointAt(0) ?? 0);
  return entity(first) + mermaidText(name.slice(first.length));
}
