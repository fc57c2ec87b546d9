import { ATTR_ENTITY_ID, ATTR_ENTITY_KIND, ATTR_META_PREFIX } from '../attributes.js';
import { EventRecord } from './EventRecord.js';
import { decodeMeta, stringAttribute } from './metaAttributes.js';
import type { RecordKind, StoredSpanEvent } from './RecordKind.js';

/** The record of `kind` a stored span event holds: its entity, kind and meta read as written. */
export function storedRecord(
  kind: RecordKind,
  stage: string,
  action: string,
  event: StoredSpanEvent,
  seq: number,
): EventRecord {
  const a = event.attributes;
  return new EventRecord(
    kind,
    stage,
    action,
    event.time,
    Number.NaN, // no performance timestamp: the stored time is the epoch time
    decodeMeta(a, ATTR_META_PREFIX),
    stringAttribute(a, ATTR_ENTITY_ID),
    stringAttribute(a, ATTR_ENTITY_KIND),
    seq,
  );
}
