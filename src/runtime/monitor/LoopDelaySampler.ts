import { performance } from 'node:perf_hooks';
import { reportInternalError } from '../../core/registry.js';

/** How often the loop's delay is sampled (as `monitorEventLoopDelay`'s default resolution). */
export const DELAY_RESOLUTION_MS = 10;

/**
 * Event-loop delay samples: a timer due every `DELAY_RESOLUTION_MS`, and how late it ran. One
 * shared timer while traced requests are open (`monitorEventLoopDelay`'s histogram cannot be
 * read per time window), `unref()`ed so it never keeps the process alive.
 */
export class LoopDelaySampler {
  readonly #onSample: (delayMs: number) => void;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the sample in flight was scheduled (`performance.now()`). */
  #scheduledAt = 0;

  constructor(onSample: (delayMs: number) => void) {
    this.#onSample = onSample;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#scheduledAt = performance.now();
    this.#timer = setTimeout(this.#tick, DELAY_RESOLUTION_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** How late the sample in flight is at `now` (0 when not due yet): a request ending reads it. */
  lateness(now: number): number {
    return this.#timer === undefined
      ? 0
      : Math.max(0, now - this.#scheduledAt - DELAY_RESOLUTION_MS);
  }

  readonly #tick = (): void => {
    const now = performance.now();
    try {
      this.#onSample(Math.max(0, now - this.#scheduledAt - DELAY_RESOLUTION_MS));
    } catch (error) {
      reportInternalError('RuntimeMonitor', error);
    }
    if (this.#timer === undefined) return; // stopped by the sample's listener
    this.#scheduledAt = performance.now();
    this.#timer.refresh();
  };
}
