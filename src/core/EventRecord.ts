import type { Meta } from '../types.js';

/**
 * One recorded call, kept until its span ends. A class rather than literals so that every
 * record has one hidden class and the hot path stays monomorphic.
 */
export class EventRecord {
  /** Id of the span the record was (or will be) written on; set when that span is known. */
  spanId: string | undefined;

  constructor(
    readonly stage: string,
    readonly action: string,
    /** Milliseconds since the epoch, with sub-millisecond precision. */
    readonly time: number,
    readonly meta: Meta | undefined,
    readonly entityId: string | undefined,
    readonly kind: string | undefined,
    /** `track` call rather than a decision event. */
    readonly isTrack: boolean,
  ) {
    this.spanId = undefined;
  }
}
