import { context, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { RuntimeSpanKind } from '../types.js';
import { ATTR_RUNTIME_ENDED_BY_PARENT } from '../core/attributes.js';
import { DISPOSE } from '../core/dispose.js';
import { reportInternalError } from '../core/registry.js';
import { runToEnd } from '../core/runToEnd.js';
import { FrameContext } from './FrameContext.js';
import { enterFrame, frameWatchers, leaveFrame } from './monitor/frameWatch.js';
import type { RuntimeHandle } from './RuntimeHandle.js';
import { counters } from './runtimeStats.js';

/**
 * Context key of the innermost task or region. This copy's own symbol, not `createContextKey`
 * (which is `Symbol.for`): a frame is this copy's object, which another copy must not call into.
 */
const FRAME_KEY = Symbol('stepmark-otel.runtime.frame');

/**
 * A task or region that records: its span, the context that runs work inside it, the frame it
 * was started in, and the regions started in it that are still open (they end with it). The
 * handle `startTask` and `startRegion` return.
 */
export class Frame implements RuntimeHandle {
  /** The innermost task around this frame (the frame itself when it is a task). */
  readonly task: Frame | undefined;
  readonly #span: Span;
  readonly #context: Context;
  #ended = false;
  /** Whether `end()` was called (a region ended by its parent may still get its own first call). */
  #endCalled = false;
  /** Regions started in this frame and not ended: ended with it. */
  #openRegions: Set<Frame> | undefined = undefined;

  constructor(
    readonly kind: RuntimeSpanKind,
    readonly name: string,
    span: Span,
    /** The live frame it was started in, if any. */
    readonly parent: Frame | undefined,
    startedIn: Context,
  ) {
    this.#span = span;
    this.task = kind === 'task' ? this : parent?.task;
    this.#context = new FrameContext(trace.setSpan(startedIn, span), FRAME_KEY, this);
    if (kind === 'region' && parent !== undefined) (parent.#openRegions ??= new Set()).add(this);
  }

  /** The innermost frame of `ctx`, ended or not. */
  static of(ctx: Context): Frame | undefined {
    return ctx.getValue(FRAME_KEY) as Frame | undefined;
  }

  /** The innermost frame of `ctx` that has not ended: the frame work in `ctx` still belongs to. */
  static liveIn(ctx: Context): Frame | undefined {
    let frame = Frame.of(ctx);
    while (frame !== undefined && frame.#ended) frame = frame.parent;
    return frame;
  }

  /** The trace the frame's span belongs to. */
  get traceId(): string {
    return this.#span.spanContext().traceId;
  }

  /** Whether the frame has ended (by `end()`, its function settling, or its parent ending). */
  get ended(): boolean {
    return this.#ended;
  }

  end(): void {
    if (this.#endCalled) {
      counters.repeatedEnds++;
      return;
    }
    this.#endCalled = true;
    this.#finish(undefined, false);
  }

  [DISPOSE](): void {
    this.end();
  }

  run<T>(fn: () => T): T {
    if (this.#ended) counters.runsAfterEnd++;
    if (frameWatchers.size === 0) return context.with(this.#context, fn);
    // A RuntimeMonitor is timing requests: it is told when this synchronous work starts and ends.
    enterFrame(this);
    try {
      return context.with(this.#context, fn);
    } finally {
      leaveFrame();
    }
  }

  /**
   * Runs `fn` inside the frame and ends it when `fn` returns or settles (`task(name, fn)`,
   * `region(name, fn)`); a throw or rejection marks the span as an error and reaches the caller.
   */
  runToEnd<T>(fn: () => T, what: string): T {
    if (frameWatchers.size === 0) return this.#runToEnd(fn, what);
    enterFrame(this); // as in `run`
    try {
      return this.#runToEnd(fn, what);
    } finally {
      leaveFrame();
    }
  }

  #runToEnd<T>(fn: () => T, what: string): T {
    return runToEnd(this.#context, fn, (error) => this.#finish(error, false), what);
  }

  /** Ends the open regions inside (innermost and latest first), then the span. Never throws. */
  #finish(error: unknown, byParent: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    const open = this.#openRegions;
    this.#openRegions = undefined;
    if (open !== undefined)
      for (const region of [...open].reverse()) region.#finish(undefined, true);
    if (this.parent !== undefined && !byParent) this.parent.#openRegions?.delete(this);
    try {
      const span = this.#span;
      if (byParent) {
        counters.regionsEndedByParent++;
        span.setAttribute(ATTR_RUNTIME_ENDED_BY_PARENT, true);
      }
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    } catch (caught) {
      reportInternalError(`${this.kind} end`, caught);
    }
  }
}
