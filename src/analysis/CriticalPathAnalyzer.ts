import type { TraceAnalyzer } from '../processor/TraceAnalyzer.js';
import type { Trace } from '../types.js';
import { criticalPath } from './criticalPath.js';

/**
 * A `TraceAnalyzer` that adds `critical_path` to each finished trace (see `criticalPath`): the
 * chain of spans that made the request as long as it was, in wall-clock time, nothing counted twice.
 * @example new StepmarkSpanProcessor({ analyzers: [new CriticalPathAnalyzer()] })
 */
export class CriticalPathAnalyzer implements TraceAnalyzer {
  readonly name = 'CriticalPathAnalyzer';

  /** Sets `trace.critical_path` when the trace has a span with a time. */
  onTraceComplete(trace: Trace): void {
    const path = criticalPath(trace);
    if (path !== undefined) trace.critical_path = path;
  }
}
