import type { Attributes } from '@opentelemetry/api';
import type { MetaValue, StateAccess, StateAccessKind, Trace } from '../../types.js';
import {
  ATTR_STATE_ACCESS,
  ATTR_STATE_LOCATION,
  ATTR_STATE_LOCKS,
  ATTR_STATE_OLD_VALUE,
  ATTR_STATE_PREVIOUS,
  ATTR_STATE_PREVIOUS_HB,
  ATTR_STATE_TASK,
  ATTR_STATE_VALUE,
  ATTR_STATE_VARIABLE,
} from '../attributes.js';
import { compareText } from '../compareText.js';
import { EventRecord } from './EventRecord.js';
import { attributeValue, decodeMetaValue, stringAttribute } from './metaAttributes.js';
import type { RecordKind } from './RecordKind.js';
import { StateDetail } from './StateDetail.js';

const ACCESSES: ReadonlySet<string> = new Set<StateAccessKind>(['read', 'write', 'delete']);

/** The detail of a state record (every record of this kind has one). */
export function stateDetailOf(record: EventRecord): StateDetail {
  return record.detail as StateDetail;
}

function bySeqInTime(a: StateAccess, b: StateAccess): number {
  return compareText(a.timestamp, b.timestamp) || a.seq - b.seq;
}

/**
 * A state access (`trackStateChange`, `trackObject`): a span event named `<access> <variable>`
 * (`write accounts.alice.balance`) with the variable, the values, the task, the locks held and
 * the user's source location; in the JSON, an entry of `Trace.state`.
 */
export const STATE: RecordKind = {
  name: 'state',
  countsAsEvent: false,

  eventName(record) {
    const d = stateDetailOf(record);
    return `${d.access} ${d.variable}`;
  },

  encode(record) {
    const d = stateDetailOf(record);
    // Literal keys (ATTR_SEQ, ATTR_STATE_*): V8 builds the object from one boilerplate, which
    // computed keys would prevent. The round trip test fails if they drift.
    const attributes: Attributes = {
      'stepmark.seq': record.seq,
      'stepmark.state.variable': d.variable,
      'stepmark.state.access': d.access,
      'stepmark.state.task': d.taskId,
    };
    if (d.value !== undefined) attributes[ATTR_STATE_VALUE] = attributeValue(d.value);
    if (d.oldValue !== undefined) attributes[ATTR_STATE_OLD_VALUE] = attributeValue(d.oldValue);
    const location = d.location;
    if (location !== undefined) attributes[ATTR_STATE_LOCATION] = location;
    if (d.locks !== undefined && d.locks.length > 0) attributes[ATTR_STATE_LOCKS] = [...d.locks];
    if (d.previous !== undefined) {
      attributes[ATTR_STATE_PREVIOUS] = d.previous.seq;
      attributes[ATTR_STATE_PREVIOUS_HB] = d.previous.happens_before;
    }
    return attributes;
  },

  decode(event, seq) {
    const a = event.attributes;
    const variable = stringAttribute(a, ATTR_STATE_VARIABLE);
    const access = stringAttribute(a, ATTR_STATE_ACCESS);
    if (variable === undefined || access === undefined || !ACCESSES.has(access)) return undefined;
    const locks = a[ATTR_STATE_LOCKS];
    const detail = new StateDetail(
      variable,
      access as StateAccessKind,
      valueOf(a[ATTR_STATE_VALUE]),
      valueOf(a[ATTR_STATE_OLD_VALUE]),
      '', // the trace it is shown in
      stringAttribute(a, ATTR_STATE_TASK) ?? '',
      Array.isArray(locks) ? locks.filter((l): l is string => typeof l === 'string') : undefined,
      stringAttribute(a, ATTR_STATE_LOCATION),
    );
    const previous = a[ATTR_STATE_PREVIOUS];
    if (typeof previous === 'number') {
      detail.previous = { seq: previous, happens_before: a[ATTR_STATE_PREVIOUS_HB] === true };
    }
    const record = new EventRecord(
      STATE,
      'state',
      access,
      event.time,
      Number.NaN,
      undefined,
      undefined,
      undefined,
      seq,
    );
    record.detail = detail;
    return record;
  },

  show(record, draft) {
    draft.state.push(record);
  },

  merge(into: Trace, from: Trace) {
    if (Array.isArray(from.state) && from.state.length > 0) {
      (into.state ??= []).push(...from.state);
    }
  },

  finishMerge(into: Trace) {
    into.state?.sort(bySeqInTime);
  },
};

function valueOf(value: unknown): MetaValue | undefined {
  return value === undefined ? undefined : decodeMetaValue(value);
}
