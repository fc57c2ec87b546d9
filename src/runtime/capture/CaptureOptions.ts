import {
  integerOption,
  optionsObject,
  warnLikelyTypos,
  type IntegerRule,
} from '../../core/checkOptions.js';

/**
 * Options of `startCapture`: how long it records and how much it keeps. A capture always ends: at
 * `durationMs`, or earlier when `maxTraces` or `maxBytes` is reached, or at `stop()`. Checked when
 * it starts: a wrong one is a `TypeError` (wrong type) or `RangeError` (out of range) naming it.
 * @example startCapture({ durationMs: 2_000, maxTraces: 500 })
 */
export interface CaptureOptions {
  /** How long every request records, in ms: a whole number from 1 to 3,600,000 (1 h). Default 10,000. */
  durationMs?: number;
  /** Traces kept at most, from 1 to 1,000,000; the capture ends when it holds this many. Default 1,000. */
  maxTraces?: number;
  /**
   * Bytes of JSON (UTF-8) kept at most, from 1 to 1 GiB; a trace that would pass it is dropped
   * (counted) and the capture ends. Default 64 MiB.
   */
  maxBytes?: number;
}

/** A capture's bounds, checked, every default applied. */
export interface CaptureLimits {
  durationMs: number;
  maxTraces: number;
  maxBytes: number;
}

/** Default of `durationMs`: 10 s. */
export const DEFAULT_CAPTURE_DURATION_MS = 10_000;
/** Default of `maxTraces`: 1,000. */
export const DEFAULT_CAPTURE_MAX_TRACES = 1_000;
/** Default of `maxBytes`: 64 MiB. */
export const DEFAULT_CAPTURE_MAX_BYTES = 64 * 1024 * 1024;

/** Longest capture, and longest flight-recorder window: 1 h (a capture is a look, not a log). */
export const MAX_CAPTURE_MS = 3_600_000;

export const DURATION_RULE: IntegerRule = {
  min: 1,
  max: MAX_CAPTURE_MS,
  expects: `an integer from 1 to ${MAX_CAPTURE_MS} (ms)`,
};
export const MAX_TRACES_RULE: IntegerRule = {
  min: 1,
  max: 1_000_000,
  expects: 'an integer from 1 to 1000000',
};
export const MAX_BYTES_RULE: IntegerRule = {
  min: 1,
  max: 1024 * 1024 * 1024,
  expects: 'an integer from 1 to 1073741824 (1 GiB)',
};

const OPTION_NAMES: readonly string[] = ['durationMs', 'maxTraces', 'maxBytes'];

/** The options of `startCapture`, checked (throws naming the wrong one), defaults applied. */
export function checkCaptureOptions(options: unknown): CaptureLimits {
  const o = optionsObject<Record<string, unknown>>('startCapture', options) ?? {};
  const limits: CaptureLimits = {
    durationMs:
      integerOption('durationMs', o.durationMs, DURATION_RULE) ?? DEFAULT_CAPTURE_DURATION_MS,
    maxTraces:
      integerOption('maxTraces', o.maxTraces, MAX_TRACES_RULE) ?? DEFAULT_CAPTURE_MAX_TRACES,
    maxBytes: integerOption('maxBytes', o.maxBytes, MAX_BYTES_RULE) ?? DEFAULT_CAPTURE_MAX_BYTES,
  };
  warnLikelyTypos('the options of startCapture', o, OPTION_NAMES);
  return limits;
}
