import { propagation, type Context } from '@opentelemetry/api';
import { SESSION_KEY } from '../core/registry.js';
import type { Session } from '../core/Session.js';

import { BAGGAGE_KEY, BAGGAGE_ON } from '../core/baggageFlag.js';

export { BAGGAGE_KEY, BAGGAGE_ON };

/** Whether `ctx` carries the baggage entry `stepmark=1` (set by an upstream service). */
export function hasStepmarkBaggage(ctx: Context): boolean {
  return propagation.getBaggage(ctx)?.getEntry(BAGGAGE_KEY)?.value === BAGGAGE_ON;
}

/** Whether stepmark records in `ctx` (an open session is there). */
export function isEnabledContext(ctx: Context): boolean {
  const session = ctx.getValue(SESSION_KEY) as Session | undefined;
  return session !== undefined && !session.closed;
}

/** `ctx` with `stepmark=1` added to its baggage, keeping every other entry. */
export function withStepmarkBaggage(ctx: Context): Context {
  const baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  return propagation.setBaggage(ctx, baggage.setEntry(BAGGAGE_KEY, { value: BAGGAGE_ON }));
}
