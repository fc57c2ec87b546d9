import { trace as otelTrace, type Context, type Span } from '@opentelemetry/api';
import type { DecisionWriter } from '../core/DecisionWriter.js';
import { isThenable } from '../core/isThenable.js';
import { nonNegativeInt, type StepmarkOptions } from '../core/options.js';
import {
  markFinished,
  registry,
  reportInternalError,
  SESSION_KEY,
  type ProcessorHandle,
} from '../core/registry.js';
import type { Session } from '../core/Session.js';
import { defaultWriter } from '../core/SpanEventWriter.js';
import type { TraceSink } from '../export/TraceSink.js';
import type { IncompleteReason, Trace, TraceSpan } from '../types.js';
import { isLocalRoot, type ReadableSpanLike, type WritableSpanLike } from '../core/SdkSpan.js';
import { cloneSpan, summarizeSpan } from './summarizeSpan.js';
import { TraceAssembly } from './TraceAssembly.js';

/**
 * Options of `StepmarkSpanProcessor`.
 * @example new StepmarkSpanProcessor({ onFinish: (t) => console.log(JSON.stringify(t)), maxTraces: 500 })
 */
export interface StepmarkSpanProcessorOptions {
  /** Called with each finished trace, asynchronously after its local root span ends. */
  onFinish?: (trace: Trace) => void | Promise<void>;
  /** Sinks that receive each finished trace, isolated from each other. */
  exporters?: TraceSink[];
  /** Traces held at once; past it the oldest is emitted as `incomplete: 'capacity'`. Default 1,000. */
  maxTraces?: number;
  /** Traces whose root has not ended after this long are emitted as `incomplete: 'ttl'`. Default 300,000 (5 min). */
  traceTtlMs?: number;
  /** Span summaries kept per trace; 0 = unlimited; the rest are counted in `dropped_spans`. Default 1,000. */
  maxSpans?: number;
  /** 'on-demand' (default): record only in enabled contexts. 'always': record on every recording span. */
  mode?: 'on-demand' | 'always';
  /** Options of the sessions 'always' mode opens by itself. */
  tracerOptions?: StepmarkOptions;
  /** How decisions become OTel data. Default: span events (`SpanEventWriter`). */
  writer?: DecisionWriter;
  /** Sink exports awaiting completion at once; further exports are dropped and counted. Default 1,000. */
  maxPendingExports?: number;
}

/** Counters of one processor, from `stats()`. */
export interface StepmarkProcessorStats {
  tracesInProgress: number;
  tracesEmitted: number;
  tracesEvictedTtl: number;
  tracesEvictedCapacity: number;
  exportsDropped: number;
  sinkErrors: number;
  internalErrors: number;
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
  readonly #onFinish: StepmarkSpanProcessorOptions['onFinish'];
  readonly #sinks: TraceSink[];
  readonly #maxTraces: number;
  readonly #ttlMs: number;
  readonly #maxSpans: number;
  readonly #maxPending: number;
  readonly #always: boolean;
  readonly #writer: DecisionWriter;
  /** Deliveries queued to run off the caller's stack. */
  readonly #deliveries = new Set<Promise<void>>();
  /** Async sink exports still running; capped by maxPendingExports. */
  readonly #exports = new Set<Promise<void>>();
  readonly #stats: StepmarkProcessorStats = {
    tracesInProgress: 0,
    tracesEmitted: 0,
    tracesEvictedTtl: 0,
    tracesEvictedCapacity: 0,
    exportsDropped: 0,
    sinkErrors: 0,
    internalErrors: 0,
  };
  readonly #sweeper: ReturnType<typeof setInterval>;
  #isShutdown = false;

  constructor(options: StepmarkSpanProcessorOptions = {}) {
    this.#onFinish = typeof options.onFinish === 'function' ? options.onFinish : undefined;
    this.#sinks = Array.isArray(options.exporters) ? [...options.exporters] : [];
    this.#maxTraces = nonNegativeInt(options.maxTraces, 1_000) || 1;
    this.#ttlMs = nonNegativeInt(options.traceTtlMs, 300_000) || 1;
    this.#maxSpans = nonNegativeInt(options.maxSpans, 1_000);
    this.#maxPending = nonNegativeInt(options.maxPendingExports, 1_000) || 1;
    this.#always = options.mode === 'always';
    this.#writer = options.writer ?? defaultWriter;
    registry.processors.add(this);
    if (this.#always) {
      registry.always++;
      registry.live++;
      registry.alwaysOptions = options.tracerOptions;
    }
    // Sweeps traces whose root never ends; unref'd so that it never keeps a process alive.
    const every = Math.min(Math.max(Math.floor(this.#ttlMs / 2), 1_000), 60_000);
    this.#sweeper = setInterval(() => this.#sweep(), every);
    this.#sweeper.unref();
  }

  /** Nothing to do unless some trace is being recorded in this process. */
  #idle(): boolean {
    return registry.live === 0 && this.#traces.size === 0 && registry.byTrace.size === 0;
  }

  /** Links the span's trace to the session of its parent context; counts local roots. */
  onStart(span: WritableSpanLike, parentContext: Context): void {
    if (this.#idle()) return;
    try {
      const traceId = span.spanContext().traceId;
      const root = isLocalRoot(span);
      const enabled = parentContext.getValue(SESSION_KEY) as Session | undefined;
      let session: Session | undefined;
      if (enabled !== undefined && enabled.traceId === undefined) {
        enabled.bind(traceId); // enabled before any span: this one starts its trace
        session = enabled;
      } else if (enabled !== undefined) {
        // A span of another trace in an enabled context (e.g. a job's root span): its own session.
        const above = root ? undefined : otelTrace.getSpan(parentContext);
        session = enabled.traceId === traceId ? enabled : enabled.fork(traceId, above);
      }
      const trace = this.#find(traceId);
      if (trace === undefined) return;
      if (session !== undefined && session.traceId === traceId) trace.addSession(session);
      if (root) trace.rootOpened(span.spanContext().spanId);
    } catch (error) {
      this.#internalError('onStart', error);
    }
  }

  /** Holds the trace of a session that just bound to it or joined it (see ProcessorHandle.adopt). */
  adopt(traceId: string, session: Session, activeSpan: Span | undefined): void {
    try {
      const trace = this.#traces.get(traceId) ?? this.#adopt(traceId);
      if (trace === undefined) return;
      trace.addSession(session);
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
      trace.addSpan(summarizeSpan(span), this.#maxSpans);
      if (isLocalRoot(span) && trace.rootEnded(span.spanContext().spanId)) this.#finish(trace);
    } catch (error) {
      this.#internalError('onEnd', error);
    }
  }

  /** Completes the delivery of every finished trace to `onFinish` and the sinks. */
  async forceFlush(): Promise<void> {
    try {
      while (this.#deliveries.size > 0 || this.#exports.size > 0) {
        await Promise.allSettled([...this.#deliveries, ...this.#exports]);
      }
      await Promise.allSettled(
        this.#sinks.map((sink) => Promise.resolve().then(() => sink.forceFlush?.())),
      );
    } catch (error) {
      this.#internalError('forceFlush', error);
    }
  }

  /** Emits traces still in progress as `incomplete: 'shutdown'`, flushes and shuts the sinks down. */
  async shutdown(): Promise<void> {
    if (this.#isShutdown) return;
    this.#isShutdown = true;
    registry.processors.delete(this); // new records are written at call time from now on
    clearInterval(this.#sweeper);
    if (this.#always) {
      registry.always--;
      registry.live--;
    }
    for (const trace of [...this.#traces.values()]) this.#finish(trace, 'shutdown');
    await this.forceFlush();
    // A sink that throws, even synchronously, must not fail the provider's shutdown.
    await Promise.allSettled(
      this.#sinks.map((sink) => Promise.resolve().then(() => sink.shutdown?.())),
    );
  }

  /**
   * A snapshot of a trace still in progress, or undefined when this processor holds none.
   * @example processor.collect(span.spanContext().traceId)?.entities
   */
  collect(traceId: string): Trace | undefined {
    const trace = this.#traces.get(traceId);
    return trace?.toTrace(trace.spans.map(cloneSpan), false);
  }

  /** Copies of the spans of a trace in progress that have ended so far. */
  spansOf(traceId: string): TraceSpan[] | undefined {
    return this.#traces.get(traceId)?.spans.map(cloneSpan);
  }

  /**
   * Counters: traces emitted, evicted (TTL, capacity), dropped exports, sink and internal errors.
   * @example processor.stats().tracesEvictedCapacity
   */
  stats(): StepmarkProcessorStats {
    return { ...this.#stats, tracesInProgress: this.#traces.size };
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
    if (this.#isShutdown) return undefined;
    if (this.#traces.size >= this.#maxTraces) {
      const oldest = this.#traces.values().next().value;
      if (oldest !== undefined) {
        this.#stats.tracesEvictedCapacity++;
        this.#finish(oldest, 'capacity');
      }
    }
    const trace = new TraceAssembly(traceId, Date.now());
    for (const session of registry.byTrace.get(traceId) ?? []) trace.addSession(session);
    this.#traces.set(traceId, trace);
    return trace;
  }

  #sweep(): void {
    const expiredBefore = Date.now() - this.#ttlMs;
    for (const trace of this.#traces.values()) {
      if (trace.createdAt > expiredBefore) break; // insertion order is adoption order
      this.#stats.tracesEvictedTtl++;
      this.#finish(trace, 'ttl');
    }
  }

  /** Stops the trace's sessions now and delivers its JSON off the caller's stack. */
  #finish(trace: TraceAssembly, incomplete?: IncompleteReason): void {
    this.#traces.delete(trace.traceId);
    markFinished(trace.traceId);
    for (const session of trace.sessions) session.release();
    if (trace.sessions.length === 0) return; // spans only, nothing was recorded
    const delivery = Promise.resolve()
      .then(() => this.#deliver(trace, incomplete))
      .catch((error: unknown) => this.#internalError('deliver', error))
      .finally(() => this.#deliveries.delete(delivery));
    this.#deliveries.add(delivery);
  }

  #deliver(trace: TraceAssembly, incomplete?: IncompleteReason): void {
    const json = trace.toTrace(trace.spans, true, incomplete);
    // The JSON owns the data now; a context the app keeps alive must not keep the records too.
    for (const session of trace.sessions) {
      // HTTP adapters wait for these (onFinish): run them outside the export cap, isolated. A
      // session of another copy of the package may lack the method.
      const listeners =
        typeof session.takeEmitListeners === 'function' ? session.takeEmitListeners() : [];
      const exclusive = trace.sessions.length === 1 && !session.shared;
      for (const listener of listeners) {
        try {
          listener(json, exclusive);
        } catch {
          this.#stats.sinkErrors++;
        }
      }
      session.discard();
    }
    this.#stats.tracesEmitted++;
    const onFinish = this.#onFinish;
    if (onFinish !== undefined) this.#consume(() => onFinish(json));
    for (const sink of this.#sinks) this.#consume(() => sink.export(json));
  }

  /** Runs one consumer, isolated: errors and rejections are counted, never propagated. */
  #consume(consume: () => unknown): void {
    // Past the cap, slow consumers would grow memory without bound: skip and count instead.
    if (this.#exports.size >= this.#maxPending) {
      this.#stats.exportsDropped++;
      return;
    }
    try {
      const result = consume();
      if (!isThenable(result)) return;
      const running: Promise<void> = Promise.resolve(result)
        .then(
          () => undefined,
          () => void this.#stats.sinkErrors++,
        )
        .finally(() => this.#exports.delete(running));
      this.#exports.add(running);
    } catch {
      this.#stats.sinkErrors++;
    }
  }

  #internalError(where: string, error: unknown): void {
    this.#stats.internalErrors++;
    reportInternalError(`StepmarkSpanProcessor.${where}`, error);
  }
}
