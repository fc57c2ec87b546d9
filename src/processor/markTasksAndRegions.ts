import { taskAndRegionOf } from '../runtime/taskAndRegionOf.js';
import type { Trace, TraceEvent } from '../types.js';

/**
 * Names on each decision of `trace` the task and region it was recorded in (`task`, `region`:
 * see `taskAndRegionOf`), so that the JSON says it without a walk up the span tree. Nothing to
 * do, and nothing done, when no span of the trace is a task or region (`stepmark-otel/runtime`).
 */
export function markTasksAndRegions(trace: Trace): void {
  const spans = trace.spans;
  if (!Array.isArray(spans) || !spans.some((s) => s.kind === 'task' || s.kind === 'region')) return;
  const mark = (event: TraceEvent): void => {
    const { task, region } = taskAndRegionOf(trace, event.span_id);
    if (task !== undefined) event.task = task.name;
    if (region !== undefined) event.region = region.name;
  };
  trace.events?.forEach(mark);
  for (const id in trace.entities) trace.entities[id]?.events.forEach(mark);
}
