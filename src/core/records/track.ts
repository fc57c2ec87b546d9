import type { Attributes } from '@opentelemetry/api';
import type { MetaValue, Trace } from '../../types.js';
import { MAX_KEYS, setKey } from '../sanitize.js';
import { ATTR_ENTITY_ID, ATTR_ENTITY_KIND, ATTR_SEQ, EVENT_TRACK } from '../attributes.js';
import { mergedEntity } from './mergedEntity.js';
import { encodeMeta, META_NAMES } from './metaAttributes.js';
import type { RecordKind } from './RecordKind.js';
import { storedRecord } from './storedRecord.js';

/**
 * `track`: registers an entity. A span event `stepmark.track` with the entity, its kind and the
 * meta; in the JSON, the entity's `kind` (a later one replaces it) and `meta` (merged key by key).
 */
export const TRACK: RecordKind = {
  name: 'track',
  countsAsEvent: false,

  eventName: () => EVENT_TRACK,

  encode(record) {
    const attributes: Attributes = { [ATTR_SEQ]: record.seq };
    if (record.entityId !== undefined) attributes[ATTR_ENTITY_ID] = record.entityId;
    if (record.kind !== undefined) attributes[ATTR_ENTITY_KIND] = record.kind;
    if (record.meta !== undefined) encodeMeta(attributes, META_NAMES, record.meta);
    return attributes;
  },

  decode(event, seq) {
    if (event.name !== EVENT_TRACK) return undefined;
    return storedRecord(TRACK, 'track', 'track', event, seq);
  },

  show(record, draft) {
    if (record.entityId === undefined) return;
    const entity = draft.entity(record.entityId, record.kind);
    if (record.meta === undefined) return;
    // Merged in place (the record keeps its own meta for its span event), at most MAX_KEYS keys:
    // a loop of `track` calls with new keys must cost neither quadratic time nor unbounded memory.
    const merged = (entity.meta ??= {});
    let size = Object.keys(merged).length;
    for (const key of Object.keys(record.meta)) {
      if (!Object.prototype.hasOwnProperty.call(merged, key)) {
        if (size >= MAX_KEYS) {
          draft.counters.truncatedMeta++;
          continue;
        }
        size++;
      }
      setKey(merged, key, record.meta[key] as MetaValue);
    }
  },

  merge(into: Trace, from: Trace) {
    for (const entity of Object.values(from.entities ?? {})) {
      const target = mergedEntity(into, entity.entity_id);
      if (entity.kind !== undefined) target.kind = entity.kind;
      if (entity.meta !== undefined) target.meta = { ...target.meta, ...entity.meta };
    }
  },
};
