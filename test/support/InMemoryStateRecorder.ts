import type { SourceLocation } from '../../src/concurrency/trackObject/SourceLocation.js';
import type { StateAccessKind } from '../../src/types.js';
import type { StateRecorder } from '../../src/concurrency/trackObject/StateRecorder.js';

/** One access as an `InMemoryStateRecorder` keeps it (the location still unformatted). */
export interface RecordedAccess {
  variable: string;
  access: StateAccessKind;
  value: unknown;
  oldValue: unknown;
  location: SourceLocation | undefined;
}

/**
 * A `StateRecorder` that keeps every access in `accesses` (up to `limit`, then counts `dropped`):
 * the test fake, and a way to watch a tracked object without a trace.
 * @example const r = new InMemoryStateRecorder(); trackObjectWith(r, obj, 'obj').a; r.accesses
 */
export class InMemoryStateRecorder implements StateRecorder {
  /** What was recorded, in order. */
  readonly accesses: RecordedAccess[] = [];
  /** Accesses not kept because `limit` was reached. */
  dropped = 0;
  /** Whether recording is on (default true); off, proxies do the plain operation only. */
  enabled = true;

  /** @param limit how many accesses to keep (default 10,000). */
  constructor(readonly limit = 10_000) {}

  /** `enabled`. */
  active(): boolean {
    return this.enabled;
  }

  /** Keeps the access, or counts it as dropped past `limit`. */
  record(
    variable: string,
    access: StateAccessKind,
    value: unknown,
    oldValue: unknown,
    location: SourceLocation | undefined,
  ): void {
    if (this.accesses.length >= this.limit) {
      this.dropped++;
      return;
    }
    this.accesses.push({ variable, access, value, oldValue, location });
  }

  /** Forgets what was recorded. */
  clear(): void {
    this.accesses.length = 0;
    this.dropped = 0;
  }
}
