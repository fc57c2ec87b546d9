import {
  booleanOption,
  optionsObject,
  rangeError,
  typeError,
  warnLikelyTypos,
} from '../../core/checkOptions.js';

/**
 * Options of `RuntimeMonitor`, checked by its constructor: a wrong one is a `TypeError` (wrong
 * type) or `RangeError` (out of range) naming it; `undefined` means the default.
 * @example new RuntimeMonitor({ blockedThresholdMs: 50, gc: false })
 */
export interface RuntimeMonitorOptions {
  /** Join each garbage collection to the traced requests it overlapped (`runtime.gc`, `gc_ms`). Default true. */
  gc?: boolean;
  /** Event-loop utilization and delay over each traced request (`runtime.event_loop`). Default true. */
  eventLoop?: boolean;
  /**
   * A stretch of synchronous work (a callback and the microtasks after it) at least this long,
   * in ms, is reported: in `blocked` of each traced request that waited meanwhile, in `blocking`
   * of the traced request that did it. A number from 1 to 60,000. Default 20.
   */
  blockedThresholdMs?: number;
}

/** The options of a `RuntimeMonitor`, checked, every default applied. */
export interface RuntimeMonitorSettings {
  gc: boolean;
  eventLoop: boolean;
  blockedThresholdMs: number;
}

/** Default of `blockedThresholdMs`: 20 ms. */
export const DEFAULT_BLOCKED_THRESHOLD_MS = 20;
const MAX_BLOCKED_THRESHOLD_MS = 60_000;

const OPTION_NAMES: readonly string[] = ['gc', 'eventLoop', 'blockedThresholdMs'];

function thresholdOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const expects = `a number of ms from 1 to ${MAX_BLOCKED_THRESHOLD_MS}`;
  if (typeof value !== 'number') throw typeError('blockedThresholdMs', expects, value);
  if (!(value >= 1 && value <= MAX_BLOCKED_THRESHOLD_MS)) {
    throw rangeError('blockedThresholdMs', expects, value); // NaN too
  }
  return value;
}

/** The options of `RuntimeMonitor`, checked (throws naming the wrong one), defaults applied. */
export function checkRuntimeMonitorOptions(options: unknown): RuntimeMonitorSettings {
  const o = optionsObject<Record<string, unknown>>('RuntimeMonitor', options) ?? {};
  const settings: RuntimeMonitorSettings = {
    gc: booleanOption('gc', o.gc) ?? true,
    eventLoop: booleanOption('eventLoop', o.eventLoop) ?? true,
    blockedThresholdMs: thresholdOption(o.blockedThresholdMs) ?? DEFAULT_BLOCKED_THRESHOLD_MS,
  };
  warnLikelyTypos('the options of RuntimeMonitor', o, OPTION_NAMES);
  return settings;
}
