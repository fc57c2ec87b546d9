import type { Span } from '@opentelemetry/api';
import type { DecisionWriter } from '../DecisionWriter.js';
import { entityIdsOf, type EventRecord } from '../records/EventRecord.js';
import { reportInternalError } from '../registry.js';

/**
 * The records of one request waiting to be written as span events: per span, written when that
 * span ends (the processor's `onEnding`), which keeps attribute building off the caller's path;
 * records made with no recording span go on the local root. Returns of the write methods are the
 * records no span could take.
 */
export class PendingWrites {
  /**
   * The span of the latest call and its records: most calls land on the span of the previous
   * call, and most requests record on one span, which then needs no Map at all.
   */
  #lastSpan: Span | undefined = undefined;
  #lastList: EventRecord[] | undefined = undefined;
  /** Every span with records, once a second span has some (it then includes the last span). */
  #bySpan: Map<Span, EventRecord[]> | undefined = undefined;
  /** Records made while no span was recording; written on the local root span when it ends. */
  #orphans: EventRecord[] = [];
  /** Entity ids per span, only when writing at call time (no processor installed). */
  #idsBySpan: Map<Span, string[]> | undefined = undefined;

  /** Queues `record` for `span`, a recording span. */
  add(record: EventRecord, span: Span): void {
    if (span === this.#lastSpan) {
      (this.#lastList as EventRecord[]).push(record);
      return;
    }
    let list = this.#bySpan?.get(span);
    if (list === undefined) {
      list = [];
      if (this.#bySpan === undefined && this.#lastSpan !== undefined) {
        this.#bySpan = new Map([[this.#lastSpan, this.#lastList as EventRecord[]]]);
      }
      this.#bySpan?.set(span, list);
    }
    this.#lastSpan = span;
    this.#lastList = list;
    list.push(record);
  }

  /** Keeps a record made with no recording span, for the local root. */
  addOrphan(record: EventRecord): void {
    this.#orphans.push(record);
  }

  /** No processor will see the span end: writes now, at the cost of building attributes here. */
  writeNow(span: Span, record: EventRecord, writer: DecisionWriter): number {
    this.#idsBySpan ??= new Map();
    let ids = this.#idsBySpan.get(span);
    if (ids === undefined) this.#idsBySpan.set(span, (ids = []));
    if (record.entityId !== undefined && !ids.includes(record.entityId)) ids.push(record.entityId);
    try {
      // One record at a time: an overflow span each would flood the exporter; count instead.
      return writer.write(span, [record], ids, false);
    } catch (error) {
      reportInternalError('span event write', error);
      return 0;
    }
  }

  /** Whether records still wait for a span. */
  get size(): number {
    return this.#bySpan?.size ?? (this.#lastSpan === undefined ? 0 : 1);
  }

  /**
   * Writes the records of `span` as span events while it ends; on the local root also those
   * made with no span, and those of spans still open (see `#flushStragglers`).
   */
  flush(span: Span, writer: DecisionWriter, isRoot: boolean): number {
    let records = span === this.#lastSpan ? this.#lastList : this.#bySpan?.get(span);
    if (records !== undefined) {
      this.#bySpan?.delete(span);
      if (this.#lastSpan === span) this.#forgetLast();
    }
    if (isRoot && this.#orphans.length > 0) {
      const spanId = span.spanContext().spanId;
      for (const orphan of this.#orphans) orphan.spanId = spanId;
      records = records === undefined ? this.#orphans : records.concat(this.#orphans);
      this.#orphans = [];
    }
    let lost = records === undefined ? 0 : writer.write(span, records, entityIdsOf(records));
    if (isRoot && this.size > 0) lost += this.#flushStragglers(writer, span);
    return lost;
  }

  /**
   * Records of spans still open when the last local root ends (instrumentation-express ends its
   * handler span after the response): the trace is emitted next, so they are written now, on
   * their span while it still records, else on the root.
   */
  #flushStragglers(writer: DecisionWriter, root: Span): number {
    let lost = 0;
    const waiting =
      this.#bySpan ?? new Map([[this.#lastSpan as Span, this.#lastList as EventRecord[]]]);
    for (const [open, records] of waiting) {
      const target = open.isRecording() ? open : root;
      if (target === root) for (const r of records) r.spanId = root.spanContext().spanId;
      lost += writer.write(target, records, entityIdsOf(records));
    }
    this.#bySpan = undefined;
    this.#forgetLast();
    return lost;
  }

  /** Stops the call-time write path's bookkeeping (the request is over). */
  stopWritingNow(): void {
    this.#idsBySpan = undefined;
  }

  /** How many records wait for a span (or, made with no span, for the local root). */
  get waiting(): number {
    let n = this.#orphans.length;
    if (this.#bySpan !== undefined) for (const list of this.#bySpan.values()) n += list.length;
    else n += this.#lastList?.length ?? 0;
    return n;
  }

  /** Drops every waiting record. */
  clear(): void {
    this.#bySpan = undefined;
    this.#orphans = [];
    this.#forgetLast();
  }

  #forgetLast(): void {
    this.#lastSpan = undefined;
    this.#lastList = undefined;
  }
}
