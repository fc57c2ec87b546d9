// stepmark-otel/runtime: tasks, regions and logs (Go's runtime/trace, on OpenTelemetry spans).
// Hand-written: named exports only.
export { task, startTask } from './task.js';
export { region, startRegion } from './region.js';
export { log } from './log.js';
export { taskAndRegionOf, type TaskAndRegion } from './taskAndRegionOf.js';
export { runtimeStats, type RuntimeStats } from './runtimeStats.js';
export type { Region, RuntimeHandle, Task } from './RuntimeHandle.js';
export type { RuntimeSpanKind, Trace, TraceLog, TraceSpan } from '../types.js';
