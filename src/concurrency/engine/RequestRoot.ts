/**
 * One request's lifetime, shared by all its tasks. It is what makes "two requests one after the
 * other are never reported" exact and cheap: once every task of a request has ended (`endSeq`
 * set), anything that starts later is ordered after all of it, whatever the clocks say.
 */
export class RequestRoot {
  /** The trace the request belongs to (several roots may share one, e.g. retries). */
  readonly traceId: string;
  /** Sequence number at which the request started. */
  startSeq: number;
  /** Sequence number at which its last task ended; undefined while any task is live. */
  endSeq: number | undefined = undefined;
  /** Tasks of the request not ended yet (the root task included). */
  liveTasks = 0;
  /**
   * Set (by `TaskModel`) once the request has ended and every live request started after that:
   * everything it did happens before anything that can still run, so a race detector may stop
   * comparing with its accesses.
   */
  retired = false;
  /**
   * Ids of its tasks, kept (by `TaskModel`) only until the root is forgotten, so that clock
   * entries of forgotten requests can be recognized and folded.
   * @internal
   */
  readonly taskIds: number[] = [];

  /** A root that started at `startSeq`. */
  constructor(traceId: string, startSeq: number) {
    this.traceId = traceId;
    this.startSeq = startSeq;
  }

  /** True once every task of the request has ended. */
  get quiescent(): boolean {
    return this.endSeq !== undefined;
  }
}
