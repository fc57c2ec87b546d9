import type { Attributes } from '@opentelemetry/api';
import type { Trace, TraceLog } from '../../types.js';
import {
  ATTR_LOG_CATEGORY,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_REGION,
  ATTR_LOG_TASK,
} from '../attributes.js';
import { compareText } from '../compareText.js';
import { objectOf } from '../jsonShape.js';
import type { EventRecord } from './EventRecord.js';
import { LogDetail, logDetailOf } from './LogDetail.js';
import { encodeMeta, META_NAMES, stringAttribute } from './metaAttributes.js';
import type { RecordKind } from './RecordKind.js';
import { storedRecord } from './storedRecord.js';

function byTime(a: TraceLog, b: TraceLog): number {
  return compareText(a.timestamp, b.timestamp);
}

/**
 * The span event name of a log: `<category>: <message>` (`cache: miss for prices:eu`), so that
 * a trace UI's log line reads as the log; the message alone when the category is empty.
 */
function logEventName(record: EventRecord): string {
  return record.stage === '' ? record.action : `${record.stage}: ${record.action}`;
}

/**
 * A log (`log(category, message, meta?)` of `stepmark-otel/runtime`): a span event named
 * `<category>: <message>` on the span active at the call (the current region's or task's) with
 * the category, the message, the names of the task and region it was written in and the meta;
 * in the JSON, an entry of `Trace.logs`. Its stage and action are its category and message.
 * Counts toward `maxEvents`, as a decision does.
 */
export const LOG: RecordKind = {
  name: 'log',
  countsAsEvent: true,

  eventName: logEventName,

  encode(record) {
    const attributes: Attributes = {
      'stepmark.seq': record.seq,
      'stepmark.log.category': record.stage,
      'stepmark.log.message': record.action,
    };
    const detail = logDetailOf(record);
    if (detail.task !== undefined) attributes[ATTR_LOG_TASK] = detail.task;
    if (detail.region !== undefined) attributes[ATTR_LOG_REGION] = detail.region;
    if (record.meta !== undefined) encodeMeta(attributes, META_NAMES, record.meta);
    return attributes;
  },

  decode(event, seq) {
    const a = event.attributes;
    const category = stringAttribute(a, ATTR_LOG_CATEGORY);
    const message = stringAttribute(a, ATTR_LOG_MESSAGE);
    if (category === undefined || message === undefined) return undefined;
    const record = storedRecord(LOG, category, message, event, seq);
    record.detail = new LogDetail(
      stringAttribute(a, ATTR_LOG_TASK),
      stringAttribute(a, ATTR_LOG_REGION),
    );
    return record;
  },

  show(record, draft) {
    draft.logs.push(record);
  },

  merge(into: Trace, from: Trace) {
    if (!Array.isArray(from.logs)) return;
    for (const entry of from.logs) {
      if (objectOf(entry) !== undefined && typeof entry.timestamp === 'string') {
        (into.logs ??= []).push(entry);
      }
    }
  },

  finishMerge(into: Trace) {
    into.logs?.sort(byTime);
  },
};
