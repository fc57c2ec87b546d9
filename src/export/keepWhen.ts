import {
  booleanOption,
  functionOption,
  listOption,
  MAX_OPTION_LIST,
  nonEmptyString,
  optionsObject,
  rangeError,
  typeError,
  warnLikelyTypos,
} from '../core/checkOptions.js';
import type { Trace, TraceEvent } from '../types.js';

/** What makes a trace worth keeping; a trace is kept when any one holds. */
export interface KeepWhenOptions {
  /** A decision with one of these actions, on an entity or the request (e.g. `['rejected', 'blocked']`). */
  actions?: readonly string[];
  /** A span with an error status (`status: 'error'`). */
  errors?: boolean;
  /** The request took longer than this: its longest local root span, in milliseconds. */
  slowerThanMs?: number;
  /** A trace emitted before its request ended (`incomplete`: TTL, capacity, shutdown). */
  incomplete?: boolean;
}

const KNOWN = ['actions', 'errors', 'slowerThanMs', 'incomplete'];

function hasAction(events: unknown, actions: ReadonlySet<string>): boolean {
  return Array.isArray(events) && events.some((e: TraceEvent) => actions.has(e?.action));
}

/** The longest span without a parent in the trace: the request as this service saw it. */
function requestMs(trace: Trace): number {
  if (!Array.isArray(trace.spans)) return 0;
  const ids = new Set(trace.spans.map((s) => s?.span_id));
  let longest = 0;
  for (const span of trace.spans) {
    if (span?.parent_id !== undefined && ids.has(span.parent_id)) continue;
    if (typeof span?.duration_ms === 'number' && span.duration_ms > longest)
      longest = span.duration_ms;
  }
  return longest;
}

/**
 * A tail rule for a sink's `keep` option: keeps a trace when any of the conditions given holds,
 * so that the always-on flow log (`mode: 'always'`) stores only what matters. Checks its options
 * here (TypeError/RangeError); at least one condition must be given. The rule reads any trace
 * shape without throwing.
 * @example new FileSink({ path: 'flow.jsonl', keep: keepWhen({ actions: ['rejected'], errors: true, slowerThanMs: 500 }) })
 */
export function keepWhen(options: KeepWhenOptions): (trace: Trace) => boolean {
  const o = optionsObject<Record<string, unknown>>('keepWhen', options);
  if (o === undefined)
    throw typeError('keepWhen', '{ actions?, errors?, slowerThanMs?, incomplete? }', options);
  warnLikelyTypos('keepWhen', o, KNOWN);
  const actions = new Set(
    listOption('keepWhen actions', o.actions, MAX_OPTION_LIST, 'strings', nonEmptyString) ?? [],
  );
  const errors = booleanOption('keepWhen errors', o.errors) === true;
  const incomplete = booleanOption('keepWhen incomplete', o.incomplete) === true;
  const slower = o.slowerThanMs;
  if (slower !== undefined && (typeof slower !== 'number' || !(slower >= 0) || slower === Infinity))
    throw rangeError('keepWhen slowerThanMs', 'a number of milliseconds >= 0', slower);
  if (actions.size === 0 && !errors && !incomplete && slower === undefined)
    throw typeError(
      'keepWhen',
      'given at least one of actions, errors, slowerThanMs, incomplete',
      options,
      'a rule with no condition would keep nothing',
    );
  return function keep(trace: Trace): boolean {
    if (trace === null || typeof trace !== 'object') return false;
    if (incomplete && trace.incomplete !== undefined) return true;
    if (errors && Array.isArray(trace.spans) && trace.spans.some((s) => s?.status === 'error'))
      return true;
    if (slower !== undefined && requestMs(trace) > slower) return true;
    if (actions.size > 0) {
      if (hasAction(trace.events, actions)) return true;
      const entities = trace.entities;
      if (entities !== null && typeof entities === 'object')
        for (const id in entities) if (hasAction(entities[id]?.events, actions)) return true;
    }
    return false;
  };
}

/** A sink's `keep` option, checked where the sink is made: a function, or undefined. */
export function keepOption(sink: string, value: unknown): ((trace: Trace) => boolean) | undefined {
  return functionOption(
    `${sink} keep`,
    value,
    '(trace) => boolean',
    () => "use keepWhen({ actions: ['rejected'], errors: true }) from 'stepmark-otel/export'",
  );
}
