import type { Trace } from '../../types.js';
import type { CaptureStats } from './Capture.js';
import type { ChromeTrace } from './ChromeTrace.js';
import { toChromeTrace } from './toChromeTrace.js';

/**
 * What a capture is saved as (`captureOnSignal`'s file, `captureRoute`'s answer): its traces in
 * the Chrome trace event format, with the capture's stats in `otherData.capture`.
 */
export function captureDocument(traces: readonly Trace[], stats: CaptureStats): ChromeTrace {
  const document = toChromeTrace(traces);
  document.otherData.capture = stats;
  return document;
}

/** `stepmark-capture-2025-01-01T12-00-00-000Z.json`: the start time, safe in every file system. */
export function captureFileName(stats: CaptureStats): string {
  return `stepmark-capture-${stats.startedAt.replace(/[:.]/g, '-')}.json`;
}
