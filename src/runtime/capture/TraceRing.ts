/**
 * The traces of a flight recorder, oldest first, as JSON with the time each was taken: bounded by
 * age (`windowMs`), count and bytes. A queue with a moving head (no `shift()`, which copies the
 * whole array), compacted once the dead front is the larger part.
 */
export class TraceRing {
  #json: string[] = [];
  #at: number[] = [];
  #bytes: number[] = [];
  #head = 0;
  #total = 0;
  /** Traces pushed out by the count or byte bound before they aged out of the window. */
  evicted = 0;
  /** Traces that aged out of the window. */
  expired = 0;

  constructor(
    readonly windowMs: number,
    readonly maxTraces: number,
    readonly maxBytes: number,
  ) {}

  /** Traces held. */
  get size(): number {
    return this.#json.length - this.#head;
  }

  /** Bytes of JSON held. */
  get bytes(): number {
    return this.#total;
  }

  /**
   * Adds a trace taken at `now` (its JSON fits `maxBytes` alone: the caller checks), forgetting
   * the aged and then the oldest ones past the bounds.
   */
  push(json: string, bytes: number, now: number): void {
    this.expire(now);
    while (this.size > 0 && (this.size >= this.maxTraces || this.#total + bytes > this.maxBytes)) {
      this.#dropOldest();
      this.evicted++;
    }
    this.#json.push(json);
    this.#at.push(now);
    this.#bytes.push(bytes);
    this.#total += bytes;
  }

  /** Forgets the traces taken more than `windowMs` before `now`. */
  expire(now: number): void {
    const oldest = now - this.windowMs;
    while (this.size > 0 && (this.#at[this.#head] as number) < oldest) {
      this.#dropOldest();
      this.expired++;
    }
  }

  /** The JSON of the traces held, oldest first. */
  list(): string[] {
    return this.#json.slice(this.#head);
  }

  #dropOldest(): void {
    this.#total -= this.#bytes[this.#head] as number;
    this.#json[this.#head] = ''; // the string is freed now, not at compaction
    this.#head++;
    if (this.#head >= 1_024 && this.#head * 2 >= this.#json.length) {
      this.#json = this.#json.slice(this.#head);
      this.#at = this.#at.slice(this.#head);
      this.#bytes = this.#bytes.slice(this.#head);
      this.#head = 0;
    }
  }
}
