import { ATTR_SEQ } from '../attributes.js';
import { DECISION } from './decision.js';
import type { EventRecord } from './EventRecord.js';
import { LOG } from './log.js';
import type { RecordKind, StoredSpanEvent } from './RecordKind.js';
import { RACE } from './race.js';
import { STATE } from './state.js';
import { TRACK } from './track.js';

/**
 * Every record kind, in the order a stored span event is offered to them (the first that
 * decodes it wins) and merged. A new kind is added here, in its own file beside this one.
 */
export const RECORD_KINDS: readonly RecordKind[] = [TRACK, STATE, RACE, LOG, DECISION];

/**
 * The record a stored span event holds, or undefined when it is none of stepmark's. `seq` is
 * the event's recording order (`stepmark.seq`) when written, else -1.
 */
export function decodeSpanEvent(event: StoredSpanEvent): EventRecord | undefined {
  const seq = event.attributes[ATTR_SEQ];
  for (const kind of RECORD_KINDS) {
    const record = kind.decode(event, typeof seq === 'number' ? seq : -1);
    if (record !== undefined) return record;
  }
  return undefined;
}
