import type { TraceLog } from '../../types.js';
import { isoTimestamp } from '../isoTimestamp.js';
import { cloneMeta } from '../sanitize.js';
import type { EventRecord } from './EventRecord.js';

/**
 * What a log record (`log.ts`) holds beyond the generic record, whose stage and action are the
 * log's category and message: the names of the task and region it was written in.
 */
export class LogDetail {
  constructor(
    readonly task: string | undefined,
    readonly region: string | undefined,
  ) {}
}

/** The detail of a log record (every record of that kind has one). */
export function logDetailOf(record: EventRecord): LogDetail {
  return record.detail as LogDetail;
}

/** The JSON of a log record (`Trace.logs`); `copy` clones its meta so that the caller may change it. */
export function logEntryOf(record: EventRecord, copy: boolean): TraceLog {
  const out: TraceLog = {
    category: record.stage,
    message: record.action,
    timestamp: isoTimestamp(record.time),
  };
  if (record.meta !== undefined) out.meta = copy ? cloneMeta(record.meta) : record.meta;
  if (record.spanId !== undefined) out.span_id = record.spanId;
  const detail = logDetailOf(record);
  if (detail.task !== undefined) out.task = detail.task;
  if (detail.region !== undefined) out.region = detail.region;
  if (record.service !== undefined) out.service = record.service;
  return out;
}
