// stepmark-otel/runtime: tasks, regions and logs (Go's runtime/trace, on OpenTelemetry spans),
// captures, the flight recorder and the Chrome trace format. Hand-written: named exports only.
export { task, startTask } from './task.js';
export { region, startRegion } from './region.js';
export { log } from './log.js';
export { taskAndRegionOf, type TaskAndRegion } from './taskAndRegionOf.js';
export { runtimeStats, type RuntimeStats } from './runtimeStats.js';
export type { Region, RuntimeHandle, Task } from './RuntimeHandle.js';
export { startCapture } from './capture/startCapture.js';
export type { Capture, CaptureEndReason, CaptureStats } from './capture/Capture.js';
export type { CaptureOptions } from './capture/CaptureOptions.js';
export {
  FlightRecorder,
  type FlightRecorderOptions,
  type FlightRecorderStats,
} from './capture/FlightRecorder.js';
export { toChromeTrace } from './capture/toChromeTrace.js';
export type { ChromeTrace, ChromeTraceEvent } from './capture/ChromeTrace.js';
export { captureOnSignal, type CaptureOnSignalOptions } from './capture/captureOnSignal.js';
export {
  captureRoute,
  type CaptureRoute,
  type CaptureRouteOptions,
} from './capture/captureRoute.js';
export { captureStats, type CaptureCounters } from './capture/captureStats.js';
export type { RuntimeSpanKind, Trace, TraceLog, TraceSpan } from '../types.js';
export { RuntimeMonitor, type RuntimeMonitorStats } from './monitor/RuntimeMonitor.js';
export type { RuntimeMonitorOptions } from './monitor/RuntimeMonitorOptions.js';
export type {
  RuntimeBlocked,
  RuntimeBlocking,
  RuntimeEventLoop,
  RuntimeGc,
  RuntimeGcKind,
  TraceRuntime,
} from '../types.js';
