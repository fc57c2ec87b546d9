import { objectOf } from '../core/jsonShape.js';
import type { Trace } from '../types.js';
import { traceOf } from './traceOf.js';

/** Messages kept about skipped lines: a file of a million bad lines must not make a million. */
const MAX_MESSAGES = 10;

/** The traces of a file, and what was skipped. */
export interface TraceFile {
  traces: Trace[];
  /**
   * Why the first lines or items (at most 10) were skipped, in file order, e.g.
   * `traces.jsonl:3: skipped: not JSON (Unexpected end of JSON input)`.
   */
  skipped: string[];
  /** Lines or items skipped in all. */
  skippedCount: number;
}

function skip(file: TraceFile, message: string): void {
  if (file.skippedCount++ < MAX_MESSAGES) file.skipped.push(message);
}

const NOT_A_TRACE = 'not a trace (no trace_id)';

function parse(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Where a JSON.parse error in `text` is, as `:<line>`, when its message gives a position. */
function lineOfError(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return '';
  return `:${text.slice(0, Number(position)).split('\n').length}`;
}

function fromDocument(value: unknown, name: string): TraceFile {
  const out: TraceFile = { traces: [], skipped: [], skippedCount: 0 };
  if (!Array.isArray(value)) {
    const trace = traceOf(value);
    if (trace === undefined) skip(out, `${name}: ${NOT_A_TRACE}`);
    else out.traces.push(trace);
    return out;
  }
  value.forEach((item: unknown, i) => {
    const trace = traceOf(item);
    if (trace === undefined) skip(out, `${name}: item ${i + 1}: skipped: ${NOT_A_TRACE}`);
    else out.traces.push(trace);
  });
  return out;
}

/**
 * The traces in the text of a file named `name`: one JSON trace, a JSON array of traces, or JSON
 * Lines (one trace per line, as `FileSink` writes them). A line or item that is not a trace is
 * skipped with a message naming its line (or item) number (the first 10 are kept); the rest is
 * read. A text that is none of the three (no line of it a JSON object) gives one message, with
 * the line of the error when the parser tells it. Never throws; each trace is read by `traceOf`.
 * @example parseTraceFile(readFileSync('traces.jsonl', 'utf8'), 'traces.jsonl').traces
 */
export function parseTraceFile(text: string, name: string): TraceFile {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (body.trim() === '') return { traces: [], skipped: [], skippedCount: 0 };
  const whole = parse(body);
  if ('value' in whole) return fromDocument(whole.value, name);
  const out: TraceFile = { traces: [], skipped: [], skippedCount: 0 };
  let objects = 0;
  body.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parse(line);
    if ('error' in parsed) {
      skip(out, `${name}:${i + 1}: skipped: not JSON (${parsed.error})`);
      return;
    }
    if (objectOf(parsed.value) !== undefined) objects++;
    const trace = traceOf(parsed.value);
    if (trace === undefined) skip(out, `${name}:${i + 1}: skipped: ${NOT_A_TRACE}`);
    else out.traces.push(trace);
  });
  if (objects > 0) return out;
  // No line is an object: not JSON Lines but one broken document (e.g. a cut pretty-printed trace).
  return {
    traces: [],
    skipped: [`${name}${lineOfError(body, whole.error)}: not JSON (${whole.error})`],
    skippedCount: 1,
  };
}
