import { propagation, type Context } from '@opentelemetry/api';
import { SESSION_KEY } from '../core/registry.js';
import type { SessionHandle } from '../core/session/SessionHandle.js';

import { BAGGAGE_KEY, BAGGAGE_ON } from '../core/baggageFlag.js';

export {
  BAGGAGE_KEY,
  BAGGAGE_ON,
  SIGNATURE_KEY,
  withOnlyStepmarkBaggage,
  withSignedStepmarkBaggage,
  withStepmarkBaggage,
} from '../core/baggageFlag.js';

/** Whether `ctx` carries the baggage entry `stepmark=1` (set by an upstream service). */
export function hasStepmarkBaggage(ctx: Context): boolean {
  return propagation.getBaggage(ctx)?.getEntry(BAGGAGE_KEY)?.value === BAGGAGE_ON;
}

/** Whether stepmark records in `ctx` (an open session is there). */
export function isEnabledContext(ctx: Context): boolean {
  const session = ctx.getValue(SESSION_KEY) as SessionHandle | undefined;
  return session !== undefined && !session.closed;
}
