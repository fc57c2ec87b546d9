import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_CONVENTIONS_VERSION,
  ATTR_DECISIONS,
  ATTR_OUTCOMES,
  CONVENTIONS_VERSION,
} from '../attributes.js';
import { DECISION } from './decision.js';
import type { EventRecord } from './EventRecord.js';
import type { TraceDraft } from './TraceDraft.js';

/** Entities listed in `stepmark.outcomes` at most: a summary, not a copy of the trace. */
export const MAX_OUTCOMES = 32;

/**
 * What the request's local root span says about the whole request, for a trace UI that shows a
 * span's tags before its logs: how many decisions were recorded (`stepmark.decisions`), how each
 * entity ended up (`stepmark.outcomes`: its last decision, `order_43: fraud_check: blocked`), and
 * the conventions' version. Undefined when the request recorded nothing.
 * @example requestSummary(draft) // { 'stepmark.decisions': 5, 'stepmark.outcomes': ['order_43: fraud_check: blocked'], ... }
 */
export function requestSummary(draft: TraceDraft): Attributes | undefined {
  let decisions = countDecisions(draft.records);
  const outcomes: string[] = [];
  for (const [id, entity] of draft.entities) {
    decisions += countDecisions(entity.records);
    const last = lastDecision(entity.records);
    if (last !== undefined && outcomes.length < MAX_OUTCOMES) {
      outcomes.push(`${id}: ${last.stage}: ${last.action}`);
    }
  }
  if (decisions === 0 && draft.entities.size === 0) return undefined;
  const summary: Attributes = {
    [ATTR_DECISIONS]: decisions,
    [ATTR_CONVENTIONS_VERSION]: CONVENTIONS_VERSION,
  };
  if (outcomes.length > 0) summary[ATTR_OUTCOMES] = outcomes;
  return summary;
}

function countDecisions(records: readonly EventRecord[]): number {
  let n = 0;
  for (const record of records) if (record.recordKind === DECISION) n++;
  return n;
}

function lastDecision(records: readonly EventRecord[]): EventRecord | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const record = records[i] as EventRecord;
    if (record.recordKind === DECISION) return record;
  }
  return undefined;
}
