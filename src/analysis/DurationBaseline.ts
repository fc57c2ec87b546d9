import { rangeError, typeError } from '../core/checkOptions.js';

/** What a baseline holds about one span name. */
export interface DurationStats {
  /** Mean of the recent durations, milliseconds. */
  mean_ms: number;
  /** Their standard deviation (population), milliseconds. */
  stddev_ms: number;
  /** How many durations it holds (at most `samplesPerName`). */
  samples: number;
}

/** How much a `DurationBaseline` keeps. */
export interface DurationBaselineOptions {
  /** Recent durations kept per span name (a ring: the oldest goes first). Default 100. */
  samplesPerName?: number;
  /** Span names kept at most; past it the name least recently added to goes. Default 1,000. */
  maxNames?: number;
}

/** The durations of one name, most recent `capacity` of them. */
class Ring {
  readonly values: number[] = [];
  #next = 0;

  constructor(readonly capacity: number) {}

  add(value: number): void {
    if (this.values.length < this.capacity) this.values.push(value);
    else this.values[this.#next] = value;
    this.#next = (this.#next + 1) % this.capacity;
  }
}

/** A positive integer option, checked at construction. */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw typeError(name, 'a positive integer', value);
  if (!Number.isInteger(value) || value < 1) throw rangeError(name, 'a positive integer', value);
  return value;
}

/**
 * Recent span durations per span name, bounded: a ring of `samplesPerName` per name and at most
 * `maxNames` names (least recently added to evicted first, and counted). Reading (`stats`) never
 * changes it, its eviction order included.
 * @example const baseline = new DurationBaseline({ samplesPerName: 100, maxNames: 1000 });
 */
export class DurationBaseline {
  readonly #samplesPerName: number;
  readonly #maxNames: number;
  /** In order of last `add`: the first name is the one to evict. */
  readonly #rings = new Map<string, Ring>();
  #evicted = 0;

  constructor(options: DurationBaselineOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw typeError('DurationBaseline options', 'an object', options);
    this.#samplesPerName = positiveInteger('samplesPerName', options.samplesPerName, 100);
    this.#maxNames = positiveInteger('maxNames', options.maxNames, 1_000);
  }

  /** Adds one duration of spans named `name`; a duration that is no finite number ≥ 0 is ignored. */
  add(name: string, durationMs: number): void {
    if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) return;
    let ring = this.#rings.get(name);
    if (ring === undefined) {
      if (this.#rings.size >= this.#maxNames) {
        const oldest = this.#rings.keys().next().value as string;
        this.#rings.delete(oldest);
        this.#evicted++;
      }
      ring = new Ring(this.#samplesPerName);
    } else {
      this.#rings.delete(name); // re-inserted below: now the most recently added to
    }
    this.#rings.set(name, ring);
    ring.add(durationMs);
  }

  /** Mean, standard deviation and count of the recent durations of `name`; undefined when none. */
  stats(name: string): DurationStats | undefined {
    const values = this.#rings.get(name)?.values;
    if (values === undefined || values.length === 0) return undefined;
    let sum = 0;
    for (const v of values) sum += v;
    const mean = sum / values.length;
    let squares = 0;
    for (const v of values) squares += (v - mean) * (v - mean);
    return { mean_ms: mean, stddev_ms: Math.sqrt(squares / values.length), samples: values.length };
  }

  /** Span names held now. */
  get names(): number {
    return this.#rings.size;
  }

  /** Span names evicted by the `maxNames` cap since creation. */
  get evictedNames(): number {
    return this.#evicted;
  }
}
