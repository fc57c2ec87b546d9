import type { EntityTrace, Trace } from '../../types.js';
import { setKey } from '../sanitize.js';

/** The entity `id` of a merged trace, created (without events) when unseen. */
export function mergedEntity(into: Trace, id: string): EntityTrace {
  const entities = (into.entities ??= {});
  const seen = Object.prototype.hasOwnProperty.call(entities, id) ? entities[id] : undefined;
  if (seen !== undefined) return seen;
  const entity: EntityTrace = { entity_id: id, events: [] };
  setKey(entities, id, entity);
  return entity;
}
