import { diag } from '@opentelemetry/api';

/** How often repeats of one kind of warning are summed up on `diag.warn`: 60 s. */
export const WARNING_INTERVAL_MS = 60_000;

/** Kinds of warning tracked at once; further kinds are counted together under one. */
export const MAX_WARNING_KINDS = 256;

const OVERFLOW_KIND = 'stepmark-otel.warnings.overflow';

/** One kind of warning: what it says, and what happened since it was last reported. */
interface WarningKind {
  readonly message: string;
  /** Repeats since the last report; only these are printed in the next summary. */
  count: number;
  /** The latest repeat's error, passed along with the summary. */
  error: unknown;
  /** When the last report (first occurrence or summary) was printed, for "since ...". */
  reportedAt: number;
}

const kinds = new Map<string, WarningKind>();
let intervalMs = WARNING_INTERVAL_MS;
let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * Reports a warning on OpenTelemetry's `diag.warn`: the first of each `kind` at once, then only a
 * count, summed up at most once per interval (default 60 s) and on `flushWarnings()`. Never throws.
 * @example warnOnce('sink.error:file', 'sink "file" failed', error) // "stepmark-otel: sink "file" failed"
 */
export function warnOnce(kind: string, message: string, error?: unknown): void {
  const known = kinds.get(kind);
  if (known !== undefined) {
    // The hot path of a repeated warning: a lookup and an increment, no string, no timer call.
    if (known.count++ === 0) schedule();
    known.error = error;
    return;
  }
  // Kinds built from user input (e.g. sink names) must not grow this map without bound: past the
  // cap, new kinds share one entry (the cap + 1st), reported with the first message that landed there.
  if (kinds.size >= MAX_WARNING_KINDS && kind !== OVERFLOW_KIND) {
    warnOnce(
      OVERFLOW_KIND,
      `over ${MAX_WARNING_KINDS} kinds of warning, the rest counted here; first: ${message}`,
      error,
    );
    return;
  }
  kinds.set(kind, { message, count: 0, error: undefined, reportedAt: Date.now() });
  report(message, error);
}

/**
 * Prints the pending counts of every kind now (at `forceFlush`/`shutdown`, before the process may end).
 * @example await processor.shutdown(); flushWarnings();
 */
export function flushWarnings(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  const now = Date.now();
  for (const warning of kinds.values()) {
    if (warning.count === 0) continue;
    const since = new Date(warning.reportedAt).toISOString();
    report(`${warning.message} (${warning.count} more times since ${since})`, warning.error);
    warning.count = 0;
    warning.error = undefined;
    warning.reportedAt = now;
  }
}

/**
 * Test hook: forgets every kind and pending count; `interval` sets the summary interval (default 60 s).
 * @example afterEach(() => resetWarnings())
 */
export function resetWarnings(interval: number = WARNING_INTERVAL_MS): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  kinds.clear();
  intervalMs = interval;
}

/** One timer for every kind, armed only while some repeat waits to be reported. */
function schedule(): void {
  if (timer !== undefined) return;
  timer = setTimeout(flushWarnings, intervalMs);
  // A pending warning is no reason to keep the process alive.
  timer.unref?.();
}

function report(message: string, error: unknown): void {
  try {
    if (error === undefined) diag.warn(`stepmark-otel: ${message}`);
    else diag.warn(`stepmark-otel: ${message}`, error);
  } catch {
    // a broken diag logger must not turn a warning into a throw into user code
  }
}
