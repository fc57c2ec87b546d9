// A structural check of the Trace Event Format (the JSON that Perfetto's trace processor and
// chrome://tracing load), standing in for Perfetto itself, whose binaries cannot be fetched here.
// It checks what those importers rely on, after the format's reference
// (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):
// - the document: an array of events, or an object with `traceEvents` (an array) and optional
//   `displayTimeUnit` ('ms' | 'ns'), and it survives a JSON round trip unchanged;
// - every event: an object, `ph` one of the known phases, `name` a string (not for E), `pid`
//   and `tid` integers, `ts` a finite number of microseconds (every phase but M), `cat` a string
//   and `args` an object when present;
// - X: `dur` a finite number >= 0; i/I: `s` one of t, p, g when present; C: `args` of numbers;
//   M: a known metadata name with its argument (`name` a string, `sort_index` a number);
//   B/E: every E closes a B of its track, in time order;
// - slices of one track (pid, tid) nest properly: a slice that starts inside another ends inside
//   it too, the rule the importers' per-thread stacks need.

import { isDeepStrictEqual } from 'node:util';

const PHASES = new Set([
  'B',
  'E',
  'X',
  'i',
  'I',
  'C',
  'M',
  'b',
  'n',
  'e',
  's',
  't',
  'f',
  'P',
  'O',
  'N',
  'D',
  'R',
  'c',
]);
const METADATA: Readonly<Record<string, 'name' | 'sort_index' | 'labels'>> = {
  process_name: 'name',
  thread_name: 'name',
  process_sort_index: 'sort_index',
  thread_sort_index: 'sort_index',
  process_labels: 'labels',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The problems of `document` as a Trace Event Format file; empty when it would load. */
export function chromeTraceProblems(document: unknown): string[] {
  const problems: string[] = [];
  let events: unknown;
  if (Array.isArray(document)) {
    events = document;
  } else if (isObject(document)) {
    events = document.traceEvents;
    if (!Array.isArray(events)) problems.push('traceEvents must be an array');
    const unit = document.displayTimeUnit;
    if (unit !== undefined && unit !== 'ms' && unit !== 'ns') {
      problems.push(`displayTimeUnit must be 'ms' or 'ns', got ${JSON.stringify(unit)}`);
    }
  } else {
    return ['the document must be an object with traceEvents, or an array of events'];
  }
  try {
    // What a file holds: undefined fields, NaN, Dates or functions would not come back as they are.
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(document)), document)) {
      problems.push('the document does not survive a JSON round trip unchanged');
    }
  } catch (error) {
    problems.push(`not JSON: ${String(error)}`);
  }
  if (!Array.isArray(events)) return problems;
  const slices = new Map<string, Array<{ ts: number; end: number; at: number }>>();
  const open = new Map<string, Array<{ ts: number; at: number }>>();
  events.forEach((event: unknown, at: number) => {
    const where = `traceEvents[${at}]`;
    if (!isObject(event)) {
      problems.push(`${where} must be an object`);
      return;
    }
    const ph = event.ph;
    if (typeof ph !== 'string' || !PHASES.has(ph)) {
      problems.push(`${where}.ph ${JSON.stringify(ph)} is not a known phase`);
      return;
    }
    if (ph !== 'E' && typeof event.name !== 'string')
      problems.push(`${where}.name must be a string`);
    for (const key of ['pid', 'tid'] as const) {
      if (!Number.isSafeInteger(event[key])) problems.push(`${where}.${key} must be an integer`);
    }
    if (ph !== 'M' && !isFiniteNumber(event.ts)) {
      problems.push(`${where}.ts must be a finite number (µs)`);
    }
    if (event.cat !== undefined && typeof event.cat !== 'string') {
      problems.push(`${where}.cat must be a string`);
    }
    if (event.args !== undefined && !isObject(event.args)) {
      problems.push(`${where}.args must be an object`);
    }
    const track = `${String(event.pid)}/${String(event.tid)}`;
    const ts = event.ts as number;
    switch (ph) {
      case 'X': {
        const dur = event.dur;
        if (!isFiniteNumber(dur) || dur < 0) {
          problems.push(`${where}.dur must be a finite number >= 0`);
          return;
        }
        if (!isFiniteNumber(ts)) return;
        const list = slices.get(track) ?? [];
        list.push({ ts, end: ts + dur, at });
        slices.set(track, list);
        return;
      }
      case 'i':
      case 'I': {
        const s = event.s;
        if (s !== undefined && s !== 't' && s !== 'p' && s !== 'g') {
          problems.push(`${where}.s must be 't', 'p' or 'g'`);
        }
        return;
      }
      case 'C': {
        const args = event.args;
        if (!isObject(args) || Object.keys(args).length === 0) {
          problems.push(`${where}.args must hold the counter's series`);
          return;
        }
        for (const [key, value] of Object.entries(args)) {
          if (!isFiniteNumber(value)) problems.push(`${where}.args.${key} must be a number`);
        }
        return;
      }
      case 'M': {
        const wants = typeof event.name === 'string' ? METADATA[event.name] : undefined;
        if (wants === undefined) {
          problems.push(`${where}.name ${JSON.stringify(event.name)} is not a metadata name`);
          return;
        }
        const value = isObject(event.args) ? event.args[wants] : undefined;
        const ok =
          wants === 'name'
            ? typeof value === 'string'
            : wants === 'sort_index'
              ? isFiniteNumber(value)
              : typeof value === 'string';
        if (!ok) problems.push(`${where}.args.${wants} is missing or of the wrong type`);
        return;
      }
      case 'B': {
        const stack = open.get(track) ?? [];
        stack.push({ ts, at });
        open.set(track, stack);
        return;
      }
      case 'E': {
        const begun = open.get(track)?.pop();
        if (begun === undefined) problems.push(`${where} ends no open B event of track ${track}`);
        else if (isFiniteNumber(ts) && ts < begun.ts) problems.push(`${where} ends before its B`);
        return;
      }
      default:
        return;
    }
  });
  for (const [track, stack] of open) {
    for (const begun of stack)
      problems.push(`traceEvents[${begun.at}] (B) is never ended (track ${track})`);
  }
  for (const [track, list] of slices) {
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    const stack: Array<{ ts: number; end: number; at: number }> = [];
    for (const slice of list) {
      while (stack.length > 0 && (stack[stack.length - 1] as { end: number }).end <= slice.ts)
        stack.pop();
      const parent = stack[stack.length - 1];
      if (parent !== undefined && slice.end > parent.end) {
        problems.push(
          `traceEvents[${slice.at}] overlaps traceEvents[${parent.at}] on track ${track} without nesting in it`,
        );
        continue;
      }
      stack.push(slice);
    }
  }
  return problems;
}
