import { PROTOCOL } from '../../core/registry.js';

/**
 * Process-wide counters of captures (see `captureStats()`): the outcomes that no single capture's
 * own `stats()` can show.
 * @example const { signalsIgnored, writeErrors } = captureStats();
 */
export interface CaptureCounters {
  /** Captures started (`startCapture`, a signal, the capture route). */
  captures: number;
  /**
   * Captures and flight recorders started while another one was recording: each gets the traces
   * that finish in its own window; recording stays on while any runs.
   */
  overlapping: number;
  /**
   * Captures started while no `StepmarkSpanProcessor` was registered (before set-up, after
   * shutdown): nothing could reach them, so they ended at once, empty (`reason: 'no-processor'`).
   */
  withoutProcessor: number;
  /** Signals received while the capture of an earlier one was still running: no second capture. */
  signalsIgnored: number;
  /** Requests to a capture route refused because its capture was running (409). */
  routeBusy: number;
  /** Capture files `captureOnSignal` could not write (reported on `diag`). */
  writeErrors: number;
}

const STATS_KEY = Symbol.for(`stepmark-otel.protocol-${PROTOCOL}.capture`);

/** The counters, shared by copies of the package through `Symbol.for` (as the registry is). */
export const captureCounters: CaptureCounters = ((): CaptureCounters => {
  const holder = globalThis as unknown as Record<symbol, CaptureCounters | undefined>;
  const existing = holder[STATS_KEY];
  if (existing !== undefined) return existing;
  const created: CaptureCounters = {
    captures: 0,
    overlapping: 0,
    withoutProcessor: 0,
    signalsIgnored: 0,
    routeBusy: 0,
    writeErrors: 0,
  };
  holder[STATS_KEY] = created;
  return created;
})();

/**
 * A copy of the process-wide capture counters: captures started, overlapping ones, captures with
 * no processor to feed them, signals ignored, route requests refused as busy, files not written.
 * @example captureStats().writeErrors // 0 when every capture file was written
 */
export function captureStats(): CaptureCounters {
  return { ...captureCounters };
}
