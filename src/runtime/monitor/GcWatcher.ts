import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { reportInternalError } from '../../core/registry.js';
import type { RuntimeGcKind } from '../../types.js';

/** Gets each GC: its kind, and its start and duration on the `performance.now()` clock. */
export type GcListener = (kind: RuntimeGcKind, start: number, duration: number) => void;

/** V8's GC kinds as Node reports them (`entry.detail.kind`). */
const KINDS = new Map<number, RuntimeGcKind>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/** The kind of a 'gc' entry; undefined for a kind Node does not document. */
function kindOf(entry: PerformanceEntry): RuntimeGcKind | undefined {
  // `detail` is typed on PerformanceEntry from @types/node 20.x's later releases only.
  const detail = (entry as { detail?: unknown }).detail as { kind?: unknown } | null | undefined;
  return typeof detail?.kind === 'number' ? KINDS.get(detail.kind) : undefined;
}

/**
 * How long the observer stays connected after the last traced request ended: connecting costs
 * about 10 µs, which sequential traced requests would pay each, and an observer costs untraced
 * requests nothing (Node's GC callbacks run per GC, not per request).
 */
const LINGER_MS = 1_000;

/**
 * The garbage collections of the process, from a `PerformanceObserver` of 'gc' entries, observed
 * while `start` holds (and for `LINGER_MS` after `stop`). Every entry of every batch is passed
 * on. Node creates an entry from an immediate after its GC ends: a GC is reported a turn of the
 * loop after it ran.
 */
export class GcWatcher {
  readonly #listener: GcListener;
  #observer: PerformanceObserver | undefined = undefined;
  #wanted = false;
  #linger: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(listener: GcListener) {
    this.#listener = listener;
  }

  start(): void {
    this.#wanted = true;
    if (this.#observer !== undefined) return;
    const observer = new PerformanceObserver((list) => {
      if (this.#observer === observer) this.#take(list.getEntries());
    });
    observer.observe({ entryTypes: ['gc'] });
    this.#observer = observer;
  }

  /** Stops observing, after `LINGER_MS` unless started again. */
  stop(): void {
    this.#wanted = false;
    if (this.#observer === undefined) return;
    if (this.#linger !== undefined) {
      this.#linger.refresh();
      return;
    }
    this.#linger = setTimeout(() => {
      this.#linger = undefined;
      if (!this.#wanted) this.#disconnect();
    }, LINGER_MS);
    this.#linger.unref();
  }

  /** Whether an observer is connected. */
  get observing(): boolean {
    return this.#observer !== undefined;
  }

  /** Passes on the entries already made, and disconnects. */
  #disconnect(): void {
    const observer = this.#observer;
    if (observer === undefined) return;
    this.#observer = undefined;
    this.#take(observer.takeRecords());
    observer.disconnect();
  }

  #take(entries: readonly PerformanceEntry[]): void {
    for (const entry of entries) {
      const kind = kindOf(entry);
      if (kind === undefined) continue;
      try {
        this.#listener(kind, entry.startTime, entry.duration);
      } catch (error) {
        reportInternalError('RuntimeMonitor', error);
      }
    }
  }
}
