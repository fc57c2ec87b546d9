/** Samples kept per request at most; past it, a uniform sample of them all (reservoir). */
const MAX_SAMPLES = 512;

/**
 * A request's event-loop delay samples, in ms: all of them up to 512 (a request of five
 * seconds), then a uniform sample of all (Vitter's reservoir), with the exact maximum and count.
 * A plain array: a native `createHistogram()` costs about 100 µs to create, per traced request.
 */
export class DelaySamples {
  readonly #samples: number[] = [];
  count = 0;
  max = 0;

  add(ms: number): void {
    this.count++;
    if (ms > this.max) this.max = ms;
    if (this.#samples.length < MAX_SAMPLES) {
      this.#samples.push(ms);
      return;
    }
    const slot = Math.floor(Math.random() * this.count);
    if (slot < MAX_SAMPLES) this.#samples[slot] = ms;
  }

  /** The `p`th percentile (nearest rank) of the samples kept; NaN without one. */
  percentile(p: number): number {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    if (sorted.length === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1] as number;
  }
}
