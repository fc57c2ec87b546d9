import { randomBytes } from 'node:crypto';
import { createContextKey, type Span } from '@opentelemetry/api';
import type { Trace, TraceSpan } from '../types.js';
import { misconfigurations, warnOnce, type Misconfiguration } from './diagnostics.js';
import type { StepmarkOptions } from './options.js';
import type { SessionHandle } from './session/SessionHandle.js';

/**
 * Version of what crosses copies of this package in one process: the registry, the
 * `SessionHandle` in the context and the `ProcessorHandle`s. Copies of one protocol cooperate
 * fully and call each other only through those interfaces; copies of different protocols do not
 * see each other (each records on its own), rather than probe what the other offers. 3: sessions
 * record state accesses and races (`recordState`, `addRace`, for `stepmark-otel/concurrency`).
 * 4: sessions record logs (`recordLog`, for `stepmark-otel/runtime`); captures and flight
 * recorders (`registry.captures`, `CaptureHandle`, `SessionHandle.capturedOnly`).
 */
export const PROTOCOL = 4;

/**
 * Context key of the per-request session. `createContextKey` is `Symbol.for(description)`,
 * so two copies of this package (same protocol) find each other's sessions.
 */
export const SESSION_KEY = createContextKey(`stepmark-otel.protocol-${PROTOCOL}.session`);

const REGISTRY_KEY = Symbol.for(`stepmark-otel.protocol-${PROTOCOL}`);

/** Sessions bound to a trace id at once, across processors; past it the oldest is closed. */
export const MAX_BOUND_SESSIONS = 10_000;

/** What a processor offers the recording API. */
export interface ProcessorHandle {
  /**
   * The spans of a trace so far, for `collect()`; with `recorded` (a request's trace so far), only
   * that request's when other requests share the trace id.
   */
  spansOf(traceId: string, recorded?: Trace): TraceSpan[] | undefined;
  /**
   * Starts holding a trace as soon as a session binds to it, so that its TTL and the trace cap
   * apply from then on. `activeSpan`: the span active where the session bound or joined (its
   * local root, or the root above it, is open); undefined when a span is starting there.
   */
  adopt(traceId: string, session: SessionHandle, activeSpan: Span | undefined): void;
}

/**
 * What a capture or flight recorder of `stepmark-otel/runtime` offers the processors: while one is
 * in `registry.captures`, every request records, and each processor hands it the traces it emits.
 */
export interface CaptureHandle {
  /**
   * Takes the JSON of a trace that finished while the capture ran (delivered off the request's
   * path, in the consumers' clean context). Shared with the sinks: read it, never change it.
   */
  take(trace: Trace): void;
}

/** Process-wide counters, visible through `stats()`. */
export interface RegistryStats {
  /** Calls made into a request whose trace was already emitted or evicted; ignored. */
  lateCalls: number;
  /** Sessions closed because more than MAX_BOUND_SESSIONS were bound at once. */
  evictedSessions: number;
  /**
   * Errors caught inside stepmark-otel so that they never reached user code, wrong options given
   * to `enable`/`withTracing` included (each such call counts).
   */
  internalErrors: number;
  /** Traced requests whose spans were not sampled: their decisions reach no processor. */
  unsampledRequests: number;
  /** Requests the HTTP rate limit refused (trigger or upstream baggage): they ran untraced. */
  rateLimitedRequests: number;
  /** Upstream baggage flags refused as unsigned, forged or signed for another trace: untraced. */
  refusedBaggageFlags: number;
  /**
   * Set-up mistakes detected in this process, each once, in the order seen (empty when none):
   * `'no-tracer-provider'`, `'no-context-manager'`, `'processor-not-on-provider'`,
   * `'token-unset'`, `'invalid-option:<name>'` (a wrong option given on the request path, where
   * its default applied), `'likely-typo:<name>'`. See docs/troubleshooting.md.
   */
  misconfigurations: Misconfiguration[];
}

/** The counters the registry keeps (`misconfigurations` is kept by diagnostics, once per process). */
type RegistryCounters = Omit<RegistryStats, 'misconfigurations'>;

/** State shared by every copy of the package in the process. */
export interface Registry {
  /**
   * Open sessions plus 'always'-mode processors. While 0, every recording call returns after
   * this one load: the disabled path reads no context and allocates nothing. Modules on that
   * path read it through a module-local alias (`const recording = registry`): where the call
   * inlines, V8 folds the alias to this object, while an imported binding (the bundles share
   * the registry through a chunk) costs two more loads, about 1 ns of a 1.6 ns check.
   */
  live: number;
  /**
   * 'always'-mode processors alive plus captures running: recording then needs no enabled
   * context, only a recording span.
   */
  always: number;
  /**
   * Captures and flight recorders running (`stepmark-otel/runtime`): while any, every root span
   * a processor sees is assembled, and every finished trace is handed to each of them. Each one
   * counts in `live` and `always` too, so that the disabled path stays one load.
   */
  captures: Set<CaptureHandle>;
  /** Options of the sessions that 'always' mode opens on its own. */
  alwaysOptions: StepmarkOptions | undefined;
  processors: Set<ProcessorHandle>;
  /** Open sessions by trace id, so that a processor finds a session enabled after its root span started. */
  byTrace: Map<string, SessionHandle[]>;
  /** Trace ids recently emitted, in two generations (see markFinished and wasFinished). */
  finished: Set<string>;
  finishedBefore: Set<string>;
  /** Recording order across every session of the process (`stepmark.seq`). */
  seq: number;
  /** A random id of this process (`stepmark.process`), telling replicas with equal resources apart. */
  processId: string;
  stats: RegistryCounters;
}

type Holder = { [REGISTRY_KEY]?: Registry };

/** The one registry of this process (shared by copies of the package through `Symbol.for`). */
export const registry: Registry = ((globalThis as Holder)[REGISTRY_KEY] ??= {
  live: 0,
  always: 0,
  alwaysOptions: undefined,
  captures: new Set(),
  processors: new Set(),
  byTrace: new Map(),
  stats: {
    lateCalls: 0,
    evictedSessions: 0,
    internalErrors: 0,
    unsampledRequests: 0,
    rateLimitedRequests: 0,
    refusedBaggageFlags: 0,
  },
  finished: new Set(),
  finishedBefore: new Set(),
  seq: 0,
  processId: randomBytes(8).toString('hex'),
});

/** Traces remembered as emitted, so that a straggler cannot open a second fragment of one. */
const MAX_FINISHED = 10_000;

/**
 * Remembers that a trace was emitted, bounded: ids go into the current generation; a full one
 * becomes the previous generation and the one before is dropped whole. No id is ever deleted
 * one by one (a Set used as a FIFO walks its deleted slots to find the oldest), and between
 * MAX_FINISHED / 2 and MAX_FINISHED ids are remembered.
 */
export function markFinished(traceId: string): void {
  if (registry.finished.size >= MAX_FINISHED / 2) {
    registry.finishedBefore = registry.finished;
    registry.finished = new Set();
  }
  registry.finished.add(traceId);
}

/** Whether the trace was emitted recently (see markFinished). */
export function wasFinished(traceId: string): boolean {
  return registry.finished.has(traceId) || registry.finishedBefore.has(traceId);
}

/** The sessions bound to `traceId`. */
export function sessionsOf(traceId: string): readonly SessionHandle[] | undefined {
  return registry.byTrace.get(traceId);
}

/**
 * Counts sessions out of `live` when they become unreachable without having been closed: a request
 * enabled but never bound to a recording span (sampled out, or no processor installed) would
 * otherwise keep the disabled fast path off for the life of the process.
 */
const unclosedSessions = new FinalizationRegistry<undefined>(() => {
  registry.live--;
});

/** Counts a new session as live until it is closed (see `watchUnclosed`). */
export function openSession(): void {
  registry.live++;
}

/**
 * Counts `session` out of `live` if it becomes unreachable unclosed. Only for sessions no
 * processor holds: a held one is always closed by its processor (at its end, TTL or shutdown),
 * and registering every session would cost each traced request a weak cell.
 */
export function watchUnclosed(session: object): void {
  unclosedSessions.unregister(session); // once per session, or it would count out twice
  unclosedSessions.register(session, undefined, session);
}

/** Counts a closed session out of `live` (once; the collection hook is cancelled). */
export function closeSession(session: object): void {
  registry.live--;
  unclosedSessions.unregister(session);
}

/**
 * Starts handing finished traces to `capture`, and makes every request record while it runs
 * (as 'always' mode does). Once per capture; true when it was not running.
 */
export function startCapturing(capture: CaptureHandle): boolean {
  if (registry.captures.has(capture)) return false;
  registry.captures.add(capture);
  registry.always++;
  registry.live++;
  return true;
}

/** Stops what `startCapturing` started (once); true when it was running. */
export function stopCapturing(capture: CaptureHandle): boolean {
  if (!registry.captures.delete(capture)) return false;
  registry.always--;
  registry.live--;
  return true;
}

/**
 * Whether only captures make 'always' recording happen (no 'always'-mode processor is alive): a
 * session opened on its own now exists for the captures alone (`SessionHandle.capturedOnly`).
 */
export function onlyCapturesRecordAlways(): boolean {
  return registry.always === registry.captures.size;
}

/** Makes `session` findable by its trace id and known to every processor. */
export function bindSession(
  traceId: string,
  session: SessionHandle,
  activeSpan: Span | undefined,
): void {
  addBinding(traceId, session);
  for (const processor of registry.processors) processor.adopt(traceId, session, activeSpan);
}

/** Closes the oldest binding when over the cap. */
function addBinding(traceId: string, session: SessionHandle): void {
  const list = registry.byTrace.get(traceId);
  if (list !== undefined) {
    if (!list.includes(session)) list.push(session);
    return;
  }
  if (registry.byTrace.size >= MAX_BOUND_SESSIONS) {
    const oldest = registry.byTrace.keys().next().value;
    if (oldest !== undefined) {
      for (const s of [...(registry.byTrace.get(oldest) ?? [])]) s.release();
      registry.byTrace.delete(oldest);
      registry.stats.evictedSessions++;
    }
  }
  registry.byTrace.set(traceId, [session]);
}

/** Forgets `session` under its trace id. */
export function unbindSession(traceId: string, session: SessionHandle): void {
  const list = registry.byTrace.get(traceId);
  if (list === undefined) return;
  const i = list.indexOf(session);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) registry.byTrace.delete(traceId);
}

/**
 * Counts an error caught inside the library and reports it on OTel's diagnostic logger, once
 * per place with a count of the repeats (a throwing `entityFilter` must not flood the log).
 */
export function reportInternalError(where: string, error: unknown): void {
  registry.stats.internalErrors++;
  warnOnce(`internal:${where}`, `error caught in ${where}`, error);
}

/**
 * A snapshot of the process-wide counters and of the set-up mistakes detected so far.
 * @example stepmark.stats().misconfigurations // [] when the set-up is right
 */
export function stats(): RegistryStats & { openSessions: number } {
  return {
    ...registry.stats,
    openSessions: registry.live - registry.always,
    misconfigurations: misconfigurations(),
  };
}
