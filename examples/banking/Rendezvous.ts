// A start gate for the demo's concurrent transfers: see `createBank` for why it makes the
// interleaving exact. Demo scaffolding; a real service has no such thing.

/**
 * Holds each caller of `arrive()` until `parties` callers have arrived, then lets them all
 * through; later arrivals pass at once. With `parties` 1 nobody waits.
 * @example const gate = new Rendezvous(2); await gate.arrive(); // in each of two requests
 */
export class Rendezvous {
  readonly #parties: number;
  #arrived = 0;
  readonly #open: Promise<void>;
  #release: () => void = () => undefined;
  readonly #watchers: Array<{ count: number; resolve: () => void }> = [];

  constructor(parties: number) {
    if (!Number.isSafeInteger(parties) || parties < 1) {
      throw new RangeError(`Rendezvous: parties must be an integer >= 1, got ${String(parties)}`);
    }
    this.#parties = parties;
    this.#open = new Promise((resolve) => (this.#release = resolve));
  }

  /** How many callers have arrived so far. */
  get arrived(): number {
    return this.#arrived;
  }

  /** Resolves once `parties` callers have arrived (this one included). */
  arrive(): Promise<void> {
    this.#arrived++;
    for (const watcher of this.#watchers.filter((w) => w.count <= this.#arrived)) {
      this.#watchers.splice(this.#watchers.indexOf(watcher), 1);
      watcher.resolve();
    }
    if (this.#arrived >= this.#parties) this.#release();
    return this.#open;
  }

  /** Resolves once `count` callers have arrived: lets a client send requests in a known order. */
  whenArrived(count: number): Promise<void> {
    if (this.#arrived >= count) return Promise.resolve();
    return new Promise((resolve) => this.#watchers.push({ count, resolve }));
  }
}
