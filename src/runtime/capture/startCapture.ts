import { optionsError } from '../../core/options.js';
import { Capture } from './Capture.js';
import { checkCaptureOptions, type CaptureOptions } from './CaptureOptions.js';

/**
 * Records every request for a bounded time (Go's `trace.Start`): until `durationMs` (default
 * 10 s), `maxTraces` (default 1,000) or `maxBytes` (default 64 MiB) is reached, or `stop()`.
 * `capture.stop()` resolves with the traces that finished meanwhile; `toChromeTrace(traces)`
 * opens them in Perfetto. Captures may overlap: each gets the traces of its own window. Throws a
 * `TypeError`/`RangeError` naming a wrong option.
 * @example const capture = startCapture({ durationMs: 200 }); await capture.ended; const traces = await capture.stop();
 */
export function startCapture(options?: CaptureOptions): Capture {
  let limits;
  try {
    limits = checkCaptureOptions(options);
  } catch (error) {
    throw optionsError('startCapture', error);
  }
  return new Capture(limits);
}
