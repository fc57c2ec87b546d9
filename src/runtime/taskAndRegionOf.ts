import type { Trace, TraceSpan } from '../types.js';

/** Where a record was made: the innermost task around its span, and the innermost region inside that task. */
export interface TaskAndRegion {
  task?: TraceSpan;
  region?: TraceSpan;
}

/** Parent links followed at most: a trace read from a file may hold a cycle. */
const MAX_DEPTH = 1_000;

/** The spans of a trace by id, built once per `spans` list. */
const indexes = new WeakMap<readonly TraceSpan[], Map<string, TraceSpan>>();

function indexOf(spans: readonly TraceSpan[]): Map<string, TraceSpan> {
  let index = indexes.get(spans);
  if (index === undefined) {
    index = new Map();
    for (const span of spans) if (typeof span?.span_id === 'string') index.set(span.span_id, span);
    indexes.set(spans, index);
  }
  return index;
}

/**
 * The task and region a decision, log or state access was recorded in, from its `span_id`:
 * walking up from that span, the first span of kind `region` (if met before a task) and the first
 * of kind `task`. Empty when the span is unknown or in no task or region.
 * @example const { task, region } = taskAndRegionOf(trace, event.span_id); // task?.name, region?.name
 */
export function taskAndRegionOf(trace: Trace, spanId: string | undefined): TaskAndRegion {
  const out: TaskAndRegion = {};
  const spans = trace.spans;
  if (spanId === undefined || !Array.isArray(spans)) return out;
  const index = indexOf(spans);
  let span = index.get(spanId);
  for (let depth = 0; span !== undefined && depth < MAX_DEPTH; depth++) {
    if (span.kind === 'task') {
      out.task = span;
      break;
    }
    if (span.kind === 'region') out.region ??= span;
    span = span.parent_id === undefined ? undefined : index.get(span.parent_id);
  }
  return out;
}
