import { propagation, type Context } from '@opentelemetry/api';

/** The W3C baggage entry that turns stepmark on downstream: `stepmark=1`. */
export const BAGGAGE_KEY = 'stepmark';
export const BAGGAGE_ON = '1';

/** `ctx` with `stepmark=1` in its baggage, every other entry kept; `ctx` itself when already there. */
export function withStepmarkBaggage(ctx: Context): Context {
  const baggage = propagation.getBaggage(ctx);
  // Most requests carry no baggage: make the one-entry baggage at once (one object, not two).
  if (baggage === undefined) return propagation.setBaggage(ctx, STEPMARK_ONLY);
  if (baggage.getEntry(BAGGAGE_KEY)?.value === BAGGAGE_ON) return ctx;
  return propagation.setBaggage(ctx, baggage.setEntry(BAGGAGE_KEY, { value: BAGGAGE_ON }));
}

/** The baggage of a request that had none: baggage is immutable, so one serves them all. */
const STEPMARK_ONLY = propagation.createBaggage({ [BAGGAGE_KEY]: { value: BAGGAGE_ON } });
