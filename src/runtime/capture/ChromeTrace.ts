import type { CaptureStats } from './Capture.js';

/**
 * One event of the Chrome trace event format (the JSON that Perfetto and `chrome://tracing` open):
 * `X` a slice with its duration, `i` an instant, `C` a counter sample, `M` metadata naming a
 * process or thread track. Times are microseconds.
 * @example { name: 'checkout', cat: 'task', ph: 'X', ts: 1200, dur: 3400, pid: 1, tid: 2 }
 */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'i' | 'C' | 'M';
  /** Microseconds since the capture's first moment (`otherData.origin`). */
  ts: number;
  /** The process track: one per service. */
  pid: number;
  /** The thread track: a lane of one request, a request's blocked or blocking periods, or GC. */
  tid: number;
  /** Microseconds, on `X` slices. */
  dur?: number;
  /** The scope of an instant: `t`, its thread track. */
  s?: 't';
  /** What it is: `span`, `task`, `region`, `decision`, `log`, `gc`, `blocked`, `blocking`, `event_loop`. */
  cat?: string;
  args?: Record<string, unknown>;
}

/**
 * A trace in the Chrome trace event format's JSON object form, from `toChromeTrace`. Write it
 * with `JSON.stringify` to a `.json` file and open it in https://ui.perfetto.dev or
 * `chrome://tracing`.
 * @example writeFileSync('capture.json', JSON.stringify(toChromeTrace(traces)))
 */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  otherData: {
    generator: 'stepmark-otel';
    /** The moment `ts: 0` stands for, ISO 8601 (absent when there was nothing to place in time). */
    origin?: string;
    /** Traces converted. */
    traces: number;
    /** What the capture took and why it ended, in a file of `captureOnSignal` or `captureRoute`. */
    capture?: CaptureStats;
  };
}
