// Reading the spans of a trace in the runtime tests.
import type { Trace, TraceSpan } from '../../src/types.js';

/** The span of `trace` named `name` (throws when there is none). */
export function spanNamed(trace: Trace | undefined, name: string): TraceSpan {
  const span = trace?.spans?.find((s) => s.name === name);
  if (span === undefined) throw new Error(`no span ${name}`);
  return span;
}

/** Each event of the request as [action, the name of the span it was recorded on]. */
export function eventSpans(trace: Trace | undefined): Array<[string, string | undefined]> {
  return (trace?.events ?? []).map((e) => [
    e.action,
    trace?.spans?.find((s) => s.span_id === e.span_id)?.name,
  ]);
}
