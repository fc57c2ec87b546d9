import type { WatchedRequest } from './WatchedRequest.js';

/**
 * Per traced request, its share of the stretch of synchronous work running now (a callback and
 * the microtasks after it), and where its longest slice ran (a context or a frame: looked up
 * only if the stretch turns out long). Few requests share a stretch: flat arrays, reused.
 */
export class StretchShares {
  readonly #owners: WatchedRequest[] = [];
  readonly #ms: number[] = [];
  readonly #longest: number[] = [];
  readonly #where: unknown[] = [];
  #count = 0;

  /** Requests with a share. */
  get size(): number {
    return this.#count;
  }

  /** Adds a slice of `ms` of `owner`'s work, which ran in `where`. */
  add(owner: WatchedRequest, ms: number, where: unknown): void {
    for (let i = 0; i < this.#count; i++) {
      if (this.#owners[i] !== owner) continue;
      this.#ms[i] = (this.#ms[i] as number) + ms;
      if (ms > (this.#longest[i] as number)) {
        this.#longest[i] = ms;
        this.#where[i] = where;
      }
      return;
    }
    const i = this.#count++;
    this.#owners[i] = owner;
    this.#ms[i] = ms;
    this.#longest[i] = ms;
    this.#where[i] = where;
  }

  owner(i: number): WatchedRequest {
    return this.#owners[i] as WatchedRequest;
  }

  ms(i: number): number {
    return this.#ms[i] as number;
  }

  /** Where the longest slice of request `i` ran. */
  where(i: number): unknown {
    return this.#where[i];
  }

  /** The share of `owner` (0 without one). */
  of(owner: WatchedRequest): number {
    for (let i = 0; i < this.#count; i++)
      if (this.#owners[i] === owner) return this.#ms[i] as number;
    return 0;
  }

  /** Starts a new stretch. */
  reset(): void {
    this.#count = 0;
  }

  /** Starts a new stretch and lets go of the requests and contexts of the last ones. */
  clear(): void {
    this.#count = 0;
    this.#owners.length = 0;
    this.#ms.length = 0;
    this.#longest.length = 0;
    this.#where.length = 0;
  }
}
