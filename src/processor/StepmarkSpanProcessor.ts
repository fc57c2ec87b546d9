import { trace as otelTrace, type Context, type Span } from '@opentelemetry/api';
import type { DecisionWriter } from '../core/DecisionWriter.js';
import { flushWarnings, reportMisconfiguration, warnOnce } from '../core/diagnostics.js';
import { optionsError } from '../core/options.js';
import type { EventRecord } from '../core/records/EventRecord.js';
import {
  markFinished,
  registry,
  type CaptureHandle,
  wasFinished,
  reportInternalError,
  SESSION_KEY,
  sessionsOf,
  type ProcessorHandle,
} from '../core/registry.js';
import { isLocalRoot, type ReadableSpanLike, type WritableSpanLike } from '../core/SdkSpan.js';
import type { SessionHandle } from '../core/session/SessionHandle.js';
import type { IncompleteReason, Trace, TraceSpan } from '../types.js';
import { DeliveryPipeline, type DeliveryStats } from './DeliveryPipeline.js';
import { copyOfFindings, printableFindings } from './printableFindings.js';
import { requestSpans } from './requestSpans.js';
import { RecentTraces } from './RecentTraces.js';
import type { TraceAnalyzer } from './TraceAnalyzer.js';
import {
  checkProcessorOptions,
  type ProcessorOptions,
  type StepmarkSpanProcessorOptions,
} from './StepmarkSpanProcessorOptions.js';
import { TraceAssembly } from './TraceAssembly.js';

export type { StepmarkSpanProcessorOptions } from './StepmarkSpanProcessorOptions.js';
import { sinkConsumer, type TraceConsumer } from './TraceConsumer.js';

// Module-local, for the idle check's speed on every span (see Registry.live).
const recording = registry;

/** Counters of one processor, from `stats()`. */
export interface StepmarkProcessorStats {
  tracesInProgress: number;
  tracesEmitted: number;
  tracesEvictedTtl: number;
  tracesEvictedCapacity: number;
  /** Deliveries a sink's `keep` rule turned down (one per sink and trace). */
  tracesNotKept: number;
  /** Deliveries a consumer did not get: past its cap of pending exports, or after shutdown. */
  exportsDropped: number;
  /** Throws and rejections of consumers (sinks, `onFinish`, HTTP adapters' listeners). */
  sinkErrors: number;
  /** Async exports not settled within `exportTimeoutMs`. */
  exportTimeouts: number;
  /** Throws of analyzers. */
  analyzerErrors: number;
  internalErrors: number;
}

/** The one analyzer hook that runs on the request path, bound to its analyzer and isolated. */
function recordObserver(
  analyzers: readonly TraceAnalyzer[],
  onError: (analyzer: TraceAnalyzer, error: unknown) => void,
): ((record: EventRecord, traceId: string) => void) | undefined {
  const observing = analyzers.filter((a) => typeof a.onRecord === 'function');
  if (observing.length === 0) return undefined;
  return (record, traceId) => {
    for (const analyzer of observing) {
      try {
        analyzer.onRecord?.(record, traceId);
      } catch (error) {
        onError(analyzer, error);
      }
    }
  };
}

/**
 * A SpanProcessor that writes each request's decisions on its spans (when each span ends) and
 * assembles them, per trace, into the Stepmark-shaped JSON with FlowTracker-shaped spans, emitted
 * to `onFinish` and the sinks when the request's local root span ends. Runs beside any other
 * processor, in `NodeSDK({ spanProcessors })` or any `TracerProvider`. Never throws into `span.end()`.
 * @example new NodeSDK({ spanProcessors: [new StepmarkSpanProcessor({ onFinish }), new BatchSpanProcessor(new OTLPTraceExporter())] })
 */
export class StepmarkSpanProcessor implements ProcessorHandle {
  readonly #traces = new Map<string, TraceAssembly>();
  readonly #maxTraces: number;
  readonly #ttlMs: number;
  readonly #maxSpans: number;
  readonly #timeoutMs: number;
  readonly #always: boolean;
  readonly #writer: DecisionWriter;
  readonly #pipeline: DeliveryPipeline;
  readonly #recent: RecentTraces;
  readonly #analyzers: readonly TraceAnalyzer[];
  readonly #startObservers: readonly TraceAnalyzer[];
  readonly #endObservers: readonly TraceAnalyzer[];
  readonly #observer: ((record: EventRecord, traceId: string) => void) | undefined;
  /** Whether a finished trace must be built even with no consumer (an analyzer reads it). */
  readonly #analyzesTraces: boolean;
  readonly #stats = {
    tracesEmitted: 0,
    tracesEvictedTtl: 0,
    tracesEvictedCapacity: 0,
    tracesNotKept: 0,
    listenerErrors: 0,
    analyzerErrors: 0,
    internalErrors: 0,
  };
  readonly #sweeper: ReturnType<typeof setInterval>;
  #shutdown: Promise<void> | undefined;
  /** Whether any span ever started through this processor (see `#checkReached`). */
  #sawSpan = false;

  /**
   * Checks every option where it is given: a wrong one throws a `TypeError` (wrong type) or
   * `RangeError` (number out of range) naming it, what it got and what it accepts.
   */
  constructor(options: StepmarkSpanProcessorOptions = {}) {
    let o: ProcessorOptions;
    try {
      o = checkProcessorOptions(options);
    } catch (error) {
      throw optionsError('StepmarkSpanProcessor', error); // a hostile option object
    }
    this.#maxTraces = o.maxTraces;
    this.#ttlMs = o.traceTtlMs;
    this.#maxSpans = o.maxSpans;
    this.#timeoutMs = o.exportTimeoutMs;
    this.#always = o.always;
    this.#writer = o.writer;
    this.#recent = new RecentTraces(o.recentTraces);
    this.#analyzers = o.analyzers;
    this.#startObservers = o.analyzers.filter((a) => typeof a.onTraceStart === 'function');
    this.#endObservers = o.analyzers.filter((a) => typeof a.onTraceEnd === 'function');
    this.#analyzesTraces = o.analyzers.some((a) => typeof a.onTraceComplete === 'function');
    this.#observer = recordObserver(o.analyzers, (a, e) => this.#analyzerError(a, e));
    const consumers: TraceConsumer[] = [];
    if (o.onFinish !== undefined) consumers.push({ name: 'onFinish', consume: o.onFinish });
    const notKept = (): void => void this.#stats.tracesNotKept++;
    o.sinks.forEach((sink, i) => consumers.push(sinkConsumer(sink, i, notKept)));
    this.#pipeline = new DeliveryPipeline(consumers, {
      maxPendingPerConsumer: o.maxPendingExports,
      exportTimeoutMs: o.exportTimeoutMs,
    });
    registry.processors.add(this);
    if (this.#always) {
      registry.always++;
      registry.live++;
      registry.alwaysOptions = o.tracerOptions;
    }
    // Sweeps traces whose root never ends; unref'd so that it never keeps a process alive.
    const every = Math.min(Math.max(Math.floor(this.#ttlMs / 2), 1_000), 60_000);
    this.#sweeper = setInterval(() => this.#sweep(), every);
    this.#sweeper.unref();
  }

  /** Nothing to do unless some trace is being recorded in this process. */
  #idle(): boolean {
    return recording.live === 0 && this.#traces.size === 0 && recording.byTrace.size === 0;
  }

  /** Links the span's trace to the session of its parent context; counts local roots. */
  onStart(span: WritableSpanLike, parentContext: Context): void {
    this.#sawSpan = true; // one store: the provider this processor is on does start spans
    if (this.#idle()) return;
    try {
      const traceId = span.spanContext().traceId;
      const root = isLocalRoot(span);
      const enabled = parentContext.getValue(SESSION_KEY) as SessionHandle | undefined;
      let session: SessionHandle | undefined;
      if (enabled !== undefined && enabled.traceId === undefined) {
        enabled.bind(traceId); // enabled before any span: this one starts its trace
        session = enabled;
      } else if (enabled !== undefined) {
        // A span of another trace in an enabled context (e.g. a job's root span): its own session.
        const above = root ? undefined : otelTrace.getSpan(parentContext);
        session = enabled.traceId === traceId ? enabled : enabled.fork(traceId, above);
      }
      // Flow mode, or a capture running: every request the provider records is assembled,
      // decisions or not.
      let trace = this.#find(traceId);
      if (trace === undefined && root && (this.#always || registry.captures.size > 0)) {
        trace = this.#adopt(traceId);
        if (trace !== undefined && !this.#always) trace.forCapture = true;
      }
      if (trace === undefined) return;
      if (session !== undefined && session.traceId === traceId) this.#hold(trace, session);
      if (root) trace.rootOpened(span.spanContext().spanId);
      trace.spanStarted(span, this.#maxSpans);
    } catch (error) {
      this.#internalError('onStart', error);
    }
  }

  /** Holds the trace of a session that just bound to it or joined it (see ProcessorHandle.adopt). */
  adopt(traceId: string, session: SessionHandle, activeSpan: Span | undefined): void {
    try {
      const trace = this.#traces.get(traceId) ?? this.#adopt(traceId);
      if (trace === undefined) return;
      this.#hold(trace, session);
      if (activeSpan !== undefined) trace.noteActiveSpan(activeSpan);
    } catch (error) {
      this.#internalError('adopt', error);
    }
  }

  /** Writes the decisions recorded on this span as span events, while it is still writable. */
  onEnding(span: WritableSpanLike): void {
    if (this.#idle()) return;
    try {
      const trace = this.#find(span.spanContext().traceId);
      if (trace === undefined) return;
      const lastRoot = isLocalRoot(span) && trace.isLastRoot(span.spanContext().spanId);
      for (const session of trace.sessions) session.flushSpan(span, this.#writer, lastRoot);
    } catch (error) {
      this.#internalError('onEnding', error);
    }
  }

  /** Adds the span to its trace; emits the trace when its (last) local root ends. */
  onEnd(span: ReadableSpanLike): void {
    if (this.#idle()) return;
    try {
      const trace = this.#find(span.spanContext().traceId);
      if (trace === undefined) return;
      trace.addSpan(span, this.#maxSpans);
      if (isLocalRoot(span) && trace.rootEnded(span.spanContext().spanId)) this.#finish(trace);
    } catch (error) {
      this.#internalError('onEnd', error);
    }
  }

  /**
   * Completes the delivery of every finished trace to `onFinish` and the sinks, and their own
   * `forceFlush`, within `exportTimeoutMs`: a hung consumer does not hang the caller.
   */
  async forceFlush(): Promise<void> {
    await this.#pipeline.forceFlush(this.#timeoutMs);
    flushWarnings();
  }

  /**
   * Emits traces still in progress as `incomplete: 'shutdown'`, flushes and shuts the sinks down,
   * within `exportTimeoutMs`. A second call returns the first one's promise.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#shutDown();
    return this.#shutdown;
  }

  async #shutDown(): Promise<void> {
    registry.processors.delete(this); // new records are written at call time from now on
    clearInterval(this.#sweeper);
    if (this.#always) {
      registry.always--;
      registry.live--;
    }
    for (const trace of [...this.#traces.values()]) {
      this.#checkReached(trace);
      this.#finish(trace, 'shutdown');
    }
    await this.#pipeline.shutdown(this.#timeoutMs);
    flushWarnings();
  }

  /**
   * The JSON of a trace in progress, or of one finished recently (see `recentTraces`); undefined
   * when this processor holds neither. Every call returns new objects.
   * @example processor.collect(span.spanContext().traceId)?.entities
   */
  collect(traceId: string): Trace | undefined {
    try {
      const open = this.#traces.get(traceId);
      if (open !== undefined) return open.build(true);
      const done = this.#recent.get(traceId);
      return done === undefined ? undefined : this.#copyOf(done);
    } catch (error) {
      this.#internalError('collect', error);
      return undefined;
    }
  }

  /**
   * The most recently finished traces, newest first: at most `limit` (default: all kept, see
   * `recentTraces`). Every call returns new objects.
   * @example processor.recent(10).map((t) => t.trace_id)
   */
  recent(limit = Number.POSITIVE_INFINITY): Trace[] {
    try {
      return this.#recent.list(limit).map((t) => this.#copyOf(t));
    } catch (error) {
      this.#internalError('recent', error);
      return [];
    }
  }

  /**
   * Summaries of the spans of a trace in progress that have ended so far; with `recorded`, only
   * those of the request that recorded it when other requests share the trace id.
   */
  spansOf(traceId: string, recorded?: Trace): TraceSpan[] | undefined {
    const trace = this.#traces.get(traceId);
    if (trace === undefined) return undefined;
    return recorded !== undefined && trace.sessions.length > 1
      ? trace.spanSummaries(undefined, requestSpans(trace.spans, recorded))
      : trace.spanSummaries();
  }

  /**
   * Counters: traces emitted, evicted (TTL, capacity), dropped and timed-out exports, consumer,
   * analyzer and internal errors.
   * @example processor.stats().tracesEvictedCapacity
   */
  stats(): StepmarkProcessorStats {
    const delivery: DeliveryStats = this.#pipeline.stats();
    const s = this.#stats;
    return {
      tracesInProgress: this.#traces.size,
      tracesEmitted: s.tracesEmitted,
      tracesEvictedTtl: s.tracesEvictedTtl,
      tracesEvictedCapacity: s.tracesEvictedCapacity,
      tracesNotKept: s.tracesNotKept,
      exportsDropped: delivery.dropped,
      sinkErrors: delivery.errors + s.listenerErrors,
      exportTimeouts: delivery.timeouts,
      analyzerErrors: s.analyzerErrors,
      internalErrors: s.internalErrors,
    };
  }

  /** Adds a session to the trace; a new one gets this processor's record observer. */
  #hold(trace: TraceAssembly, session: SessionHandle): void {
    if (trace.addSession(session) && this.#observer !== undefined) session.observe(this.#observer);
  }

  /** The trace held, or one bound before this processor existed (adopted now, below its root). */
  #find(traceId: string): TraceAssembly | undefined {
    const trace = this.#traces.get(traceId);
    if (trace !== undefined || !registry.byTrace.has(traceId)) return trace;
    const late = this.#adopt(traceId);
    late?.unknownRootOpen();
    return late;
  }

  #adopt(traceId: string): TraceAssembly | undefined {
    if (this.#shutdown !== undefined) return undefined;
    if (this.#traces.size >= this.#maxTraces) {
      const oldest = this.#traces.values().next().value;
      if (oldest !== undefined) {
        this.#stats.tracesEvictedCapacity++;
        this.#finish(oldest, 'capacity');
      }
    }
    const trace = new TraceAssembly(traceId, Date.now(), this.#analyzesTraces);
    for (const session of sessionsOf(traceId) ?? []) this.#hold(trace, session);
    this.#traces.set(traceId, trace);
    if (this.#startObservers.length > 0) this.#traceStarted(traceId);
    return trace;
  }

  #sweep(): void {
    const expiredBefore = Date.now() - this.#ttlMs;
    for (const trace of this.#traces.values()) {
      if (trace.createdAt > expiredBefore) break; // insertion order is adoption order
      this.#stats.tracesEvictedTtl++;
      this.#checkReached(trace);
      this.#finish(trace, 'ttl');
    }
  }

  /**
   * Reports (once per process) a trace given up on that recorded decisions while this processor
   * never saw any span start, and no other processor finished it: the processor is registered
   * (sessions bind to it) but installed on another TracerProvider than the one recording. A trace
   * whose root simply never ended, on the right provider, is not reported: its root started here.
   */
  #checkReached(trace: TraceAssembly): void {
    if (this.#sawSpan || trace.sessions.length === 0 || wasFinished(trace.traceId)) return;
    reportMisconfiguration(
      'processor-not-on-provider',
      `no span of trace ${trace.traceId} reached a StepmarkSpanProcessor before it was given up: ` +
        'the processor is on another TracerProvider than the one recording, so onFinish and the ' +
        'sinks get traces only as incomplete; add it to the provider you register (NodeSDK ' +
        '{ spanProcessors: [...] } or the provider passed to trace.setGlobalTracerProvider); see docs/troubleshooting.md',
    );
  }

  /**
   * Stops the trace's sessions now; keeps it among the recent ones; builds and delivers its JSON
   * off the caller's stack only when something reads it (a consumer, a listener, an analyzer).
   */
  #finish(trace: TraceAssembly, incomplete?: IncompleteReason): void {
    this.#traces.delete(trace.traceId);
    markFinished(trace.traceId);
    this.#traceEnded(trace.traceId);
    const sessions = trace.sessions;
    // Spans only, nothing recorded: emitted in flow mode (the span tree is the flow log), and to
    // the captures that had it assembled.
    if (sessions.length === 0 && !this.#always && !trace.forCapture) return;
    // Handed to the captures running now (it finished in their window), off the caller's stack.
    const captures = registry.captures.size === 0 ? undefined : [...registry.captures];
    if (!this.#always && sessions.every((s) => s.capturedOnly)) {
      // Recorded only because a capture ran: for the captures alone, not the sinks nor recent().
      trace.seal(incomplete);
      trace.handOver();
      if (captures !== undefined) {
        this.#pipeline.deliver(() => {
          this.#capture(captures, this.#jsonOf(trace));
          return undefined;
        });
      }
      return;
    }
    const listening = trace.seal(incomplete);
    this.#stats.tracesEmitted++;
    this.#recent.add(trace);
    if (
      !listening &&
      !this.#pipeline.hasConsumers &&
      !this.#analyzesTraces &&
      captures === undefined
    ) {
      trace.handOver();
      if (this.#recent.capacity > 0) trace.pack();
      return;
    }
    this.#pipeline.deliver(() => this.#emit(trace, captures));
  }

  /** Hands a finished trace to the captures it finished in, each isolated. */
  #capture(captures: readonly CaptureHandle[], json: Trace): void {
    for (const capture of captures) {
      try {
        capture.take(json);
      } catch (error) {
        this.#internalError('capture', error);
      }
    }
  }

  /** Tells the analyzers with an `onTraceStart` hook (cheap, on the caller's stack), isolated. */
  #traceStarted(traceId: string): void {
    for (const analyzer of this.#startObservers) {
      try {
        analyzer.onTraceStart?.(traceId);
      } catch (error) {
        this.#analyzerError(analyzer, error);
      }
    }
  }

  /** Tells the analyzers with an `onTraceEnd` hook (cheap, on the caller's stack), isolated. */
  #traceEnded(traceId: string): void {
    for (const analyzer of this.#endObservers) {
      try {
        analyzer.onTraceEnd?.(traceId);
      } catch (error) {
        this.#analyzerError(analyzer, error);
      }
    }
  }

  /**
   * In the consumers' clean context: builds the JSON, hands it to the captures (before any
   * consumer could change it), runs the adapters' listeners, returns it.
   */
  #emit(trace: TraceAssembly, captures: readonly CaptureHandle[] | undefined): Trace {
    const listeners = trace.handOver();
    if (this.#recent.capacity > 0) trace.pack();
    const json = this.#jsonOf(trace);
    if (captures !== undefined) this.#capture(captures, json);
    for (const { listener, exclusive, own } of listeners) {
      try {
        listener(own === undefined ? json : trace.requestTrace(own), exclusive);
      } catch (error) {
        this.#stats.listenerErrors++;
        warnOnce('listener', 'an HTTP adapter onFinish threw', error);
      }
    }
    return json;
  }

  /** A new copy of the JSON of a finished trace, for `collect` and `recent`. */
  #copyOf(trace: TraceAssembly): Trace {
    // With analyzers the JSON is kept (their findings are in it); otherwise a fresh build is
    // already a copy, and cheaper than cloning.
    return this.#analyzesTraces ? copyOfFindings(this.#jsonOf(trace)) : trace.build(true);
  }

  /**
   * The JSON of a finished trace with the analyzers' findings; built once when analyzers add
   * findings (see `TraceAssembly.keepJson`), else built for this delivery.
   */
  #jsonOf(trace: TraceAssembly): Trace {
    const built = trace.built;
    if (built !== undefined) return built;
    const json = trace.build(false);
    if (!this.#analyzesTraces) return json;
    for (const analyzer of this.#analyzers) {
      if (typeof analyzer.onTraceComplete !== 'function') continue;
      try {
        analyzer.onTraceComplete(json);
      } catch (error) {
        this.#analyzerError(analyzer, error);
      }
    }
    const { trace: printable, replaced } = printableFindings(json);
    if (replaced > 0) {
      this.#stats.analyzerErrors += replaced;
      warnOnce(
        'analyzer:unprintable',
        `an analyzer left ${replaced} field(s) JSON cannot print: replaced`,
      );
      trace.replaceBuilt(printable);
    }
    return printable;
  }

  #analyzerError(analyzer: TraceAnalyzer, error: unknown): void {
    this.#stats.analyzerErrors++;
    const name = analyzer.name ?? analyzer.constructor?.name ?? 'analyzer';
    warnOnce(`analyzer:${name}`, `analyzer ${name} threw`, error);
  }

  #internalError(where: string, error: unknown): void {
    this.#stats.internalErrors++;
    reportInternalError(`StepmarkSpanProcessor.${where}`, error);
  }
}
