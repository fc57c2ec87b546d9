/**
 * A token bucket per process: `perSecond` tokens refill continuously up to `burst`. Bounds how
 * many triggered requests this process traces, so that a trigger cannot force expensive
 * tracing on every request.
 * @example const limit = new TokenBucket({ perSecond: 10, burst: 20 }); if (limit.take()) trace();
 */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;
  #refused = 0;

  constructor(options: { perSecond: number; burst?: number; now?: () => number }) {
    this.#perMs = Math.max(0, options.perSecond) / 1000;
    this.#burst = Math.max(1, options.burst ?? Math.ceil(options.perSecond) * 2);
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = this.#burst;
    this.#last = this.#now();
  }

  /** Takes one token: true when allowed, false (and counted) when the bucket is empty. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    this.#refused++;
    return false;
  }

  /** Requests refused so far. */
  get refused(): number {
    return this.#refused;
  }
}
