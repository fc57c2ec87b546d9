import { context, createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { warnOnce } from '../core/diagnostics.js';
import { isThenable } from '../core/isThenable.js';
import type { Trace } from '../types.js';
import type { TraceConsumer } from './TraceConsumer.js';

/**
 * The key of `suppressTracing()` in @opentelemetry/core, which is only a dev dependency here.
 * `createContextKey` is `Symbol.for(description)`, so the SDK, its exporters and every
 * instrumentation read this very key through their own copy of `isTracingSuppressed()`.
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * Where consumers run: ROOT_CONTEXT holds no span and no baggage (so no `stepmark=1` reaches the
 * services a sink calls), and tracing is suppressed (so a sink's HTTP call adds no spans). Built
 * once: contexts are immutable.
 */
const CONSUMER_CONTEXT: Context = ROOT_CONTEXT.setValue(SUPPRESS_TRACING_KEY, true);

/** Above this, Node's setTimeout fires after 1 ms instead. */
const MAX_TIMER_MS = 2_147_483_647;

/** Default of `DeliveryOptions.maxPendingPerConsumer`: 1,000. */
export const DEFAULT_MAX_PENDING_PER_CONSUMER = 1_000;

/** Default of `DeliveryOptions.exportTimeoutMs` and of the `forceFlush`/`shutdown` bounds: 30 s. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 30_000;

/**
 * Options of a `DeliveryPipeline`.
 * @example new DeliveryPipeline(consumers, { maxPendingPerConsumer: 100, exportTimeoutMs: 5_000 })
 */
export interface DeliveryOptions {
  /** Async exports of one consumer awaiting completion at once; past it that consumer's deliveries are dropped and counted. Default 1,000. */
  maxPendingPerConsumer?: number;
  /** An async export not settled after this long is counted as a timeout and frees its slot. Default 30,000 ms. */
  exportTimeoutMs?: number;
}

/**
 * Counters of a `DeliveryPipeline`, one unit each: a trace handed (or not) to one consumer.
 * @example pipeline.stats() // { delivered: 3, dropped: 0, errors: 1, timeouts: 0, pending: 0 }
 */
export interface DeliveryStats {
  /** Calls of a consumer's `consume`, whatever their outcome. */
  delivered: number;
  /** Traces a consumer did not get: past its cap, or delivered after `shutdown()`. */
  dropped: number;
  /** Throws and rejections of `consume`, `forceFlush` and `shutdown`, and of the `build` function. */
  errors: number;
  /** Exports not settled within `exportTimeoutMs`, and consumers that missed a flush/shutdown bound. */
  timeouts: number;
  /** Async exports in flight now, all consumers together. */
  pending: number;
}

/** A builder of the trace to deliver; runs in the consumers' clean context, off the caller's stack. */
export type TraceBuilder = () => Trace | undefined;

/** An async export in flight; a Set of these, in start order, is a consumer's pending list. */
class PendingExport {
  constructor(
    readonly seq: number,
    readonly startedAt: number,
  ) {}
}

/** A caller of `forceFlush`/`shutdown` waiting for a consumer's exports up to `upTo` to end. */
interface SettleWaiter {
  readonly upTo: number;
  readonly resolve: () => void;
}

/** A consumer and its own cap, pending list and warnings, so that none can affect another. */
class ConsumerSlot {
  readonly pending = new Set<PendingExport>();
  readonly waiters: SettleWaiter[] = [];
  seq = 0;
  // Built once, so that a repeated drop, error or timeout allocates no string.
  readonly dropKind: string;
  readonly dropMessage: string;
  readonly errorKind: string;
  readonly errorMessage: string;
  readonly timeoutKind: string;
  readonly timeoutMessage: string;

  constructor(
    readonly consumer: TraceConsumer,
    maxPending: number,
    timeoutMs: number,
  ) {
    const name = consumer.name;
    this.dropKind = `delivery.dropped:${name}`;
    this.dropMessage = `"${name}" has ${maxPending} exports pending; traces for it are dropped`;
    this.errorKind = `delivery.error:${name}`;
    this.errorMessage = `"${name}" failed on a finished trace`;
    this.timeoutKind = `delivery.timeout:${name}`;
    this.timeoutMessage = `"${name}" did not settle an export within ${timeoutMs} ms; its slot is freed`;
  }
}

/**
 * Hands finished traces to consumers (sinks, `onFinish`) off the caller's stack, with tracing
 * suppressed and none of the request's context; isolates, caps (default 1,000 pending each) and
 * times out (default 30 s) each consumer on its own, counts and warns about what it drops. Never throws.
 * @example const pipeline = new DeliveryPipeline([{ name: 'log', consume: (t) => console.log(t) }]); pipeline.deliver(() => json);
 */
export class DeliveryPipeline {
  readonly #slots: ConsumerSlot[];
  readonly #maxPending: number;
  readonly #timeoutMs: number;
  readonly #stats = { delivered: 0, dropped: 0, errors: 0, timeouts: 0 };
  /** Builders of traces not delivered yet; all run in one microtask. */
  #queue: TraceBuilder[] = [];
  #scheduled = false;
  #drainWaiters: (() => void)[] = [];
  /** One timer for every pending export of every consumer, armed for the earliest deadline. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Set once shutdown has drained the queue: consumers get nothing after that. */
  #closed = false;
  #shutdown: Promise<void> | undefined;
  readonly #drainNow = (): void => {
    try {
      context.with(CONSUMER_CONTEXT, this.#drain, this);
    } catch (error) {
      // #drain never throws, so a broken context manager did; deliver rather than stall forever.
      warnOnce('delivery.context', 'the context manager failed; delivering without it', error);
      if (this.#scheduled) this.#drain();
    }
  };
  readonly #expireNow = (): void => {
    this.#expire();
  };

  /** `options` are checked here: a wrong one throws a RangeError naming it. */
  constructor(consumers: readonly TraceConsumer[], options: DeliveryOptions = {}) {
    this.#maxPending = positiveInt(
      options.maxPendingPerConsumer,
      DEFAULT_MAX_PENDING_PER_CONSUMER,
      'maxPendingPerConsumer',
    );
    this.#timeoutMs = Math.min(
      positiveInt(options.exportTimeoutMs, DEFAULT_DELIVERY_TIMEOUT_MS, 'exportTimeoutMs'),
      MAX_TIMER_MS,
    );
    this.#slots = consumers.map((consumer, i) => {
      if (typeof consumer?.consume !== 'function') {
        throw new TypeError(`stepmark-otel: consumer ${i} has no consume(trace) function`);
      }
      return new ConsumerSlot(consumer, this.#maxPending, this.#timeoutMs);
    });
  }

  /**
   * Whether any consumer is registered (false for an empty list, the default).
   * @example if (!pipeline.hasConsumers && listeners.length === 0) return;
   */
  get hasConsumers(): boolean {
    return this.#slots.length > 0;
  }

  /**
   * Queues one trace and returns at once: `build` runs in a microtask, in the consumers' clean
   * context (tracing suppressed, no span, no baggage), then each consumer gets what it returns
   * (nothing when undefined). After `shutdown()`, `build` still runs but consumers get nothing.
   * @example pipeline.deliver(() => { const json = assembly.toTrace(); for (const l of listeners) l(json); return json; })
   */
  deliver(build: TraceBuilder): void {
    this.#queue.push(build);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // One microtask for every trace finished in this turn; no promise and no closure of ours per trace.
    queueMicrotask(this.#drainNow);
  }

  /**
   * Waits for queued deliveries and pending exports, then each consumer's `forceFlush`, all within
   * `timeoutMs` (default 30 s); a consumer that misses it is counted in `timeouts`. Never rejects.
   * @example await pipeline.forceFlush(5_000)
   */
  forceFlush(timeoutMs: number = DEFAULT_DELIVERY_TIMEOUT_MS): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    return this.#bounded('forceFlush', timeoutMs, async (slot) => {
      await this.#settled(slot);
      await this.#callHook(slot, 'forceFlush');
    });
  }

  /**
   * `forceFlush`, then each consumer's `shutdown`, within `timeoutMs` (default 30 s); a second call
   * returns the first call's promise. Never rejects.
   * @example await pipeline.shutdown()
   */
  shutdown(timeoutMs: number = DEFAULT_DELIVERY_TIMEOUT_MS): Promise<void> {
    this.#shutdown ??= this.#bounded(
      'shutdown',
      timeoutMs,
      async (slot) => {
        await this.#settled(slot);
        await this.#callHook(slot, 'forceFlush');
        await this.#callHook(slot, 'shutdown');
      },
      () => {
        this.#closed = true;
      },
    ).finally(() => {
      // Exports still hung now will never be waited for: stop watching them.
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
    });
    return this.#shutdown;
  }

  /**
   * The counters so far; `pending` is the async exports in flight now.
   * @example pipeline.stats().dropped // 0
   */
  stats(): DeliveryStats {
    let pending = 0;
    for (const slot of this.#slots) pending += slot.pending.size;
    return { ...this.#stats, pending };
  }

  /** Runs every queued trace, in CONSUMER_CONTEXT (see #drainNow). */
  #drain(): void {
    // Deliveries queued during the drain (by a consumer, say) run in this same pass.
    for (let i = 0; i < this.#queue.length; i++) {
      const build = this.#queue[i]!;
      let trace: Trace | undefined;
      try {
        trace = build();
      } catch (error) {
        this.#stats.errors++;
        warnOnce('delivery.build', 'building a finished trace failed', error);
        continue;
      }
      if (trace === undefined) continue;
      if (this.#closed) {
        this.#stats.dropped += this.#slots.length;
        if (this.#slots.length > 0) {
          warnOnce('delivery.closed', 'a trace finished after shutdown; consumers did not get it');
        }
        continue;
      }
      for (const slot of this.#slots) this.#consume(slot, trace);
    }
    this.#queue = [];
    this.#scheduled = false;
    const waiters = this.#drainWaiters;
    if (waiters.length === 0) return;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Hands `trace` to one consumer: throws, rejections and hangs stay with that consumer. */
  #consume(slot: ConsumerSlot, trace: Trace): void {
    // Past its cap, a slow consumer would grow memory without bound: skip it, and only it.
    if (slot.pending.size >= this.#maxPending) {
      this.#stats.dropped++;
      warnOnce(slot.dropKind, slot.dropMessage);
      return;
    }
    this.#stats.delivered++;
    let result: unknown;
    try {
      result = slot.consumer.consume(trace);
    } catch (error) {
      this.#stats.errors++;
      warnOnce(slot.errorKind, slot.errorMessage, error);
      return;
    }
    if (!isThenable(result)) return; // a sync consumer costs no promise, no timer, no entry
    const entry = new PendingExport(slot.seq++, performance.now());
    // Added before then(): a thenable may call back synchronously.
    slot.pending.add(entry);
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
    try {
      result.then(
        () => this.#settle(slot, entry, false, undefined),
        (error: unknown) => this.#settle(slot, entry, true, error),
      );
    } catch (error) {
      this.#settle(slot, entry, true, error);
    }
  }

  #settle(slot: ConsumerSlot, entry: PendingExport, failed: boolean, error: unknown): void {
    if (!slot.pending.delete(entry)) return; // timed out already, or settled twice
    if (failed) {
      this.#stats.errors++;
      warnOnce(slot.errorKind, slot.errorMessage, error);
    }
    if (slot.waiters.length > 0) this.#wakeWaiters(slot);
  }

  #arm(delayMs: number): void {
    // Unref'd: an export in flight is no reason to keep the process alive.
    this.#timer = setTimeout(this.#expireNow, Math.max(1, Math.ceil(delayMs)));
    this.#timer.unref?.();
  }

  /**
   * Counts as timeouts the exports past their deadline and frees their slots, then re-arms for the
   * earliest remaining deadline: one timer in all instead of one per export, and settling an
   * export costs no clearTimeout (a timer that finds nothing due just does not re-arm).
   */
  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    let next = Infinity;
    for (const slot of this.#slots) {
      let freed = false;
      for (const entry of slot.pending) {
        const deadline = entry.startedAt + this.#timeoutMs;
        if (deadline > now) {
          next = Math.min(next, deadline); // start order: every later entry is due later
          break;
        }
        slot.pending.delete(entry);
        freed = true;
        this.#stats.timeouts++;
        warnOnce(slot.timeoutKind, slot.timeoutMessage);
      }
      if (freed && slot.waiters.length > 0) this.#wakeWaiters(slot);
    }
    if (next !== Infinity) this.#arm(next - now);
  }

  /** Resolves the waiters whose exports have all ended (settled or timed out). */
  #wakeWaiters(slot: ConsumerSlot): void {
    const oldest = slot.pending.values().next().value;
    const firstPending = oldest === undefined ? Infinity : oldest.seq;
    let done = 0;
    while (done < slot.waiters.length && slot.waiters[done]!.upTo < firstPending) {
      slot.waiters[done]!.resolve();
      done++;
    }
    if (done > 0) slot.waiters.splice(0, done);
  }

  /** Resolves once the exports of `slot` started so far have ended; later ones are not awaited. */
  #settled(slot: ConsumerSlot): Promise<void> {
    if (slot.pending.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => slot.waiters.push({ upTo: slot.seq - 1, resolve }));
  }

  /** Resolves once the traces queued so far have been handed to the consumers. */
  #drained(): Promise<void> {
    if (!this.#scheduled) return Promise.resolve();
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Calls a consumer's forceFlush/shutdown in the clean context; errors are counted, never thrown. */
  async #callHook(slot: ConsumerSlot, hook: 'forceFlush' | 'shutdown'): Promise<void> {
    try {
      const consumer = slot.consumer;
      if (typeof consumer[hook] !== 'function') return;
      await context.with(CONSUMER_CONTEXT, () => consumer[hook]!());
    } catch (error) {
      this.#stats.errors++;
      warnOnce(`${slot.errorKind}.${hook}`, `"${slot.consumer.name}".${hook}() failed`, error);
    }
  }

  /**
   * Drains the queue, runs `work` for every consumer at once and waits for all of them, but no
   * longer than `timeoutMs`: a consumer that hangs is counted in `timeouts` and left behind.
   */
  async #bounded(
    what: 'forceFlush' | 'shutdown',
    timeoutMs: number,
    work: (slot: ConsumerSlot) => Promise<void>,
    afterDrain?: () => void,
  ): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const limit = boundMs(timeoutMs);
      const late = new Set(this.#slots);
      // Not unref'd, unlike the export timer: the caller awaits this promise (often at the end of
      // the process, in a top-level await) and it must settle rather than the process end first.
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, limit);
      });
      const all = (async () => {
        await this.#drained();
        afterDrain?.();
        await Promise.all(this.#slots.map((slot) => work(slot).then(() => late.delete(slot))));
      })().catch((error: unknown) => warnOnce(`delivery.${what}`, `${what} failed`, error));
      await Promise.race([all, expired]);
      if (late.size === 0) return;
      for (const slot of late) {
        this.#stats.timeouts++;
        warnOnce(
          `delivery.${what}.timeout:${slot.consumer.name}`,
          `"${slot.consumer.name}" did not complete ${what} within ${limit} ms`,
        );
      }
    } catch (error) {
      warnOnce(`delivery.${what}`, `${what} failed`, error);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}

/** `value` as a positive integer, `fallback` when undefined; otherwise a RangeError naming `name`. */
function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw new RangeError(`stepmark-otel: ${name} must be a positive integer, got ${String(value)}`);
}

/** A flush/shutdown bound: a wrong value falls back to the default (these run on shutdown paths, which must not throw). */
function boundMs(value: unknown): number {
  return typeof value === 'number' && value >= 0 && !Number.isNaN(value)
    ? Math.min(value, MAX_TIMER_MS)
    : DEFAULT_DELIVERY_TIMEOUT_MS;
}
