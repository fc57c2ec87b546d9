import type { TraceAnalyzer } from '../processor/TraceAnalyzer.js';
import type { EntityOutcome, Trace } from '../types.js';
import { setKey } from '../core/sanitize.js';

/**
 * A `TraceAnalyzer` that adds `outcomes` to each trace: per entity, its last decision (stage,
 * action, timestamp), i.e. how the entity ended up. Bounded by the trace's own entity cap.
 * @example new StepmarkSpanProcessor({ analyzers: [new EntityOutcomes()], onFinish: (t) => console.log(t.outcomes) })
 */
export class EntityOutcomes implements TraceAnalyzer {
  readonly name = 'EntityOutcomes';

  /** Sets `trace.outcomes` from each entity's events, which are in recording order. */
  onTraceComplete(trace: Trace): void {
    let outcomes: Record<string, EntityOutcome> | undefined;
    for (const entity of Object.values(trace.entities ?? {})) {
      const last = entity.events[entity.events.length - 1];
      if (last === undefined) continue;
      outcomes ??= {};
      setKey(outcomes, entity.entity_id, {
        stage: last.stage,
        action: last.action,
        timestamp: last.timestamp,
      });
    }
    if (outcomes !== undefined) trace.outcomes = outcomes;
  }
}
