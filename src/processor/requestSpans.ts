import type { Trace } from '../types.js';
import type { EndedSpan } from './EndedSpan.js';

/**
 * The spans of one request among the ended spans of its trace: every local span tree (a local
 * root and what ran below it) in which `trace` recorded. Two requests of one trace id (a caller's
 * fan-out, or a stranger reusing a `traceparent`) are two trees; what one request hands its
 * caller must not show the other's spans.
 */
export function requestSpans(spans: readonly EndedSpan[], trace: Trace): EndedSpan[] {
  const recordedOn = new Set<string>();
  const note = (events: Trace['events']): void => {
    for (const event of events ?? [])
      if (event.span_id !== undefined) recordedOn.add(event.span_id);
  };
  note(trace.events);
  for (const entity of Object.values(trace.entities ?? {})) note(entity.events);
  if (recordedOn.size === 0) return [];
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const rootOf = (span: EndedSpan): string => {
    let at = span;
    // Bounded by the number of spans: a parent link that loops cannot hang the walk.
    for (let hops = 0; hops < byId.size; hops++) {
      const parent = at.parentId === undefined ? undefined : byId.get(at.parentId);
      if (parent === undefined) break;
      at = parent;
    }
    return at.spanId;
  };
  const roots = new Set<string>();
  for (const id of recordedOn) {
    const span = byId.get(id);
    if (span !== undefined) roots.add(rootOf(span));
  }
  return spans.filter((span) => roots.has(rootOf(span)));
}
