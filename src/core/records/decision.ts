import type { Attributes } from '@opentelemetry/api';
import type { Trace, TraceEvent } from '../../types.js';
import {
  ATTR_ACTION,
  ATTR_ENTITY_ID,
  ATTR_ENTITY_KIND,
  ATTR_STAGE,
  EVENT_DECISION,
} from '../attributes.js';
import { compareText } from '../compareText.js';
import { decisionEventName } from './decisionEventName.js';
import { mergedEntity } from './mergedEntity.js';
import { encodeMeta, META_NAMES, stringAttribute } from './metaAttributes.js';
import type { RecordKind } from './RecordKind.js';
import { storedRecord } from './storedRecord.js';

function byTime(a: TraceEvent, b: TraceEvent): number {
  return compareText(a.timestamp, b.timestamp);
}

/**
 * A decision: `recordEntity`, `record`, `step`, `enter` and their exits. A span event named
 * `<stage>: <action>` (`fraud_check: blocked`: a trace UI's log line reads as the decision) with
 * stage, action, the entity (if any) and the meta; in the JSON, an event of its entity or of the
 * request. Read back by its attributes, or by the name older versions wrote (`stepmark.event`).
 */
export const DECISION: RecordKind = {
  name: 'decision',
  countsAsEvent: true,

  eventName: (record) => decisionEventName(record.stage, record.action),

  encode(record) {
    // Literal keys (ATTR_SEQ, ATTR_STAGE, ATTR_ACTION): V8 then builds the object from one
    // boilerplate, which computed keys would prevent. The round trip test fails if they drift.
    const attributes: Attributes = {
      'stepmark.seq': record.seq,
      'stepmark.stage': record.stage,
      'stepmark.action': record.action,
    };
    if (record.entityId !== undefined) attributes[ATTR_ENTITY_ID] = record.entityId;
    if (record.kind !== undefined) attributes[ATTR_ENTITY_KIND] = record.kind;
    if (record.meta !== undefined) encodeMeta(attributes, META_NAMES, record.meta);
    return attributes;
  },

  decode(event, seq) {
    const a = event.attributes;
    const stage = stringAttribute(a, ATTR_STAGE);
    const action = stringAttribute(a, ATTR_ACTION);
    // Recognised by its attributes: the event name may be the constant or `<stage>: <action>`.
    if (event.name !== EVENT_DECISION && (stage === undefined || action === undefined))
      return undefined;
    return storedRecord(DECISION, stage ?? '', action ?? '', event, seq);
  },

  show(record, draft) {
    const id = record.entityId;
    if (id === undefined) draft.records.push(record);
    else draft.entity(id, record.kind).records.push(record);
  },

  merge(into: Trace, from: Trace) {
    for (const entity of Object.values(from.entities ?? {})) {
      mergedEntity(into, entity.entity_id).events.push(...entity.events);
    }
    if (from.events !== undefined && from.events.length > 0) {
      (into.events ??= []).push(...from.events);
    }
  },

  finishMerge(into: Trace) {
    for (const entity of Object.values(into.entities ?? {})) entity.events.sort(byTime);
    into.events?.sort(byTime);
  },
};
