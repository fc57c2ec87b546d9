import { context, createContextKey, diag, ROOT_CONTEXT } from '@opentelemetry/api';

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
 * Test hook: forgets every kind, pending count and reported misconfiguration; `interval` sets the
 * summary interval (default 60 s).
 * @example afterEach(() => resetWarnings())
 */
export function resetWarnings(interval: number = WARNING_INTERVAL_MS): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  kinds.clear();
  intervalMs = interval;
  reported.clear();
  verifiedContextManager = undefined;
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

/**
 * A set-up mistake stepmark detects, named in `stats().misconfigurations` (see
 * docs/troubleshooting.md): no tracer provider registered, no context manager, the processor on
 * another provider than the one recording, `tokenAuthorizer()` without its secret, a wrong option
 * given on the request path (`invalid-option:<name>`), an option name that looks like a typo of a
 * known one (`likely-typo:<known name>`), an optional peer dependency a feature needs that cannot
 * be imported (`missing-peer:<package>`).
 */
export type Misconfiguration =
  | 'no-tracer-provider'
  | 'no-context-manager'
  | 'processor-not-on-provider'
  | 'token-unset'
  | `invalid-option:${string}`
  | `likely-typo:${string}`
  | `missing-peer:${string}`;

/** Shared by every copy of the package in the process, so that each mistake is reported once. */
const MISCONFIGURATIONS_KEY = Symbol.for('stepmark-otel.misconfigurations.1');

type MisconfigurationHolder = { [MISCONFIGURATIONS_KEY]?: Set<Misconfiguration> };

/** Reported misconfigurations, in order. Bounded: codes are fixed, or carry a known option name. */
const reported: Set<Misconfiguration> = ((globalThis as MisconfigurationHolder)[
  MISCONFIGURATIONS_KEY
] ??= new Set());

/**
 * Reports a set-up mistake once per process: on OpenTelemetry's `diag.warn`, and also through
 * `process.emitWarning` when no diag logger is set (so that it shows without any configuration).
 * Later reports of the same `code` cost one Set look-up. Never throws.
 * @example reportMisconfiguration('token-unset', 'STEPMARK_TOKEN is not set; ...')
 */
export function reportMisconfiguration(code: Misconfiguration, message: string): void {
  if (reported.has(code)) return;
  reported.add(code);
  report(message, undefined);
  if (hasDiagLogger()) return;
  try {
    process.emitWarning(`stepmark-otel: ${message}`, {
      type: 'StepmarkWarning',
      code: `STEPMARK_${code.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`,
    });
  } catch {
    // emitWarning is Node's; a patched one that throws must not reach the caller
  }
}

/**
 * The misconfigurations reported so far in this process, in order (see `Misconfiguration`).
 * @example stepmark.stats().misconfigurations // ['no-tracer-provider']
 */
export function misconfigurations(): Misconfiguration[] {
  return [...reported];
}

/** What @opentelemetry/api 1.x registers globally (`diag`, `context`, `trace`), read as it is. */
interface OtelGlobals {
  diag?: unknown;
  context?: unknown;
  trace?: unknown;
}

/** The key @opentelemetry/api 1.x (1.9 and 1.10 alike) keeps its globals under. */
const OTEL_API_KEY = Symbol.for('opentelemetry.js.api.1');

function otelGlobals(): OtelGlobals | undefined {
  return (globalThis as { [OTEL_API_KEY]?: OtelGlobals })[OTEL_API_KEY];
}

/**
 * Whether a diag logger is set (`diag.setLogger`): the API keeps it in its global registry, and
 * `diag.warn` goes nowhere without one. A logger set at a level that drops warnings counts as set.
 */
export function hasDiagLogger(): boolean {
  try {
    return otelGlobals()?.diag != null;
  } catch {
    return false;
  }
}

/**
 * Reports once when no tracer provider is registered: the global one is the API's no-op, so no
 * span records and stepmark's decisions reach no processor. One property read when there is one.
 */
export function checkTracerProvider(): void {
  if (reported.has('no-tracer-provider')) return;
  try {
    if (otelGlobals()?.trace != null) return;
  } catch {
    return;
  }
  reportMisconfiguration(
    'no-tracer-provider',
    'no OpenTelemetry tracer provider is registered (NodeSDK.start() or trace.setGlobalTracerProvider), ' +
      'so spans do not record and stepmark decisions reach no processor; see docs/troubleshooting.md',
  );
}

const PROBE_KEY = createContextKey('stepmark-otel.context-manager-probe');
/** The context manager last seen to work, so that the probe runs once per manager. */
let verifiedContextManager: unknown;

/**
 * Reports once when no context manager is installed: `context.with` is then a no-op, and nothing
 * recorded inside it finds its request, not even before the first `await`. Probes the manager
 * once; later calls cost one property read.
 */
export function checkContextManager(): void {
  if (reported.has('no-context-manager')) return;
  try {
    const manager = otelGlobals()?.context;
    if (manager !== undefined && manager === verifiedContextManager) return;
    const probe = ROOT_CONTEXT.setValue(PROBE_KEY, true);
    if (context.with(probe, () => context.active()) === probe) {
      verifiedContextManager = manager;
      return;
    }
  } catch {
    return; // a manager that throws is a broken one, not a missing one
  }
  reportMisconfiguration(
    'no-context-manager',
    'no OpenTelemetry context manager is installed (NodeSDK, or context.setGlobalContextManager(new ' +
      'AsyncLocalStorageContextManager())), so traced requests cannot record; see docs/troubleshooting.md',
  );
}
