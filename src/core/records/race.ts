import type { Attributes } from '@opentelemetry/api';
import type { Race, RaceKind, StateAccess, Trace } from '../../types.js';
import {
  ATTR_RACE_ACCESSES,
  ATTR_RACE_KIND,
  ATTR_RACE_VARIABLE,
  ATTR_SEQ,
  EVENT_RACE,
} from '../attributes.js';
import { objectOf } from '../jsonShape.js';
import { META_BUDGET, sanitizeValue } from '../sanitize.js';
import { EventRecord } from './EventRecord.js';
import { stringAttribute } from './metaAttributes.js';
import type { RecordKind } from './RecordKind.js';
import { raceKey } from './StateDetail.js';

const KINDS: ReadonlySet<string> = new Set<RaceKind>(['lost_update', 'write_write', 'read_write']);

/** The race a race record holds. */
export function raceOf(record: EventRecord): Race {
  return record.detail as Race;
}

/** A new race record (written on the span of one of its accesses). */
export function raceRecord(race: Race, time: number, perf: number, seq: number): EventRecord {
  const record = new EventRecord(
    RACE,
    'race',
    race.kind,
    time,
    perf,
    undefined,
    undefined,
    undefined,
    seq,
  );
  record.detail = race;
  // Error status on the span, as an `errorActions` decision gets: a trace UI shows it red.
  record.marksError = true;
  return record;
}

/**
 * A race found by a `RaceDetector`: a span event `stepmark.race` on the span of each of its
 * accesses (its kind, variable and accesses as JSON), the span marked as an error; in the JSON,
 * an entry of `Trace.races`, once however many of its spans carried it.
 */
export const RACE: RecordKind = {
  name: 'race',
  countsAsEvent: false,

  eventName: () => EVENT_RACE,

  encode(record) {
    const race = raceOf(record);
    const attributes: Attributes = {
      [ATTR_SEQ]: record.seq,
      [ATTR_RACE_KIND]: race.kind,
      [ATTR_RACE_VARIABLE]: race.variable,
      [ATTR_RACE_ACCESSES]: JSON.stringify(race.accesses),
    };
    return attributes;
  },

  decode(event, seq) {
    if (event.name !== EVENT_RACE) return undefined;
    const a = event.attributes;
    const kind = stringAttribute(a, ATTR_RACE_KIND);
    const variable = stringAttribute(a, ATTR_RACE_VARIABLE);
    if (kind === undefined || !KINDS.has(kind) || variable === undefined) return undefined;
    const race: Race = {
      kind: kind as RaceKind,
      variable,
      accesses: accessesOf(a[ATTR_RACE_ACCESSES]),
    };
    const record = raceRecord(race, event.time, Number.NaN, seq);
    record.marksError = false;
    return record;
  },

  show(record, draft) {
    const race = raceOf(record);
    const key = raceKey(race);
    if (draft.raceKeys.has(key)) return;
    draft.raceKeys.add(key);
    draft.races.push(race);
  },

  merge(into: Trace, from: Trace) {
    if (!Array.isArray(from.races)) return;
    const known = new Set((into.races ?? []).map(raceKey));
    for (const race of from.races) {
      if (objectOf(race) === undefined || !Array.isArray(race.accesses)) continue;
      const key = raceKey(race);
      if (known.has(key)) continue;
      known.add(key);
      (into.races ??= []).push(race);
    }
  },
};

/** The accesses a stored race lists: the objects of a JSON list, anything else left out. */
function accessesOf(value: unknown): StateAccess[] {
  if (typeof value !== 'string') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  // From a backend, not trusted: capped as stored meta is.
  const list = sanitizeValue(parsed, META_BUDGET.chars);
  if (!Array.isArray(list)) return [];
  return (list as unknown[]).filter(
    (item): item is StateAccess =>
      objectOf(item) !== undefined &&
      typeof (item as StateAccess).variable === 'string' &&
      typeof (item as StateAccess).seq === 'number',
  );
}
