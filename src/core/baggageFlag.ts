import { propagation, type Context } from '@opentelemetry/api';

/** The W3C baggage entry that turns stepmark on downstream: `stepmark=1`. */
export const BAGGAGE_KEY = 'stepmark';
export const BAGGAGE_ON = '1';
/**
 * The baggage entry beside `stepmark=1` that signs it for one trace id (`stepmark.sig=...`, see
 * `FlagSigner`): an entry of its own, so that services reading only `stepmark=1` keep working.
 */
export const SIGNATURE_KEY = 'stepmark.sig';

/** `ctx` with `stepmark=1` in its baggage, every other entry kept; `ctx` itself when already there. */
export function withStepmarkBaggage(ctx: Context): Context {
  const baggage = propagation.getBaggage(ctx);
  // Most requests carry no baggage: make the one-entry baggage at once (one object, not two).
  if (baggage === undefined) return propagation.setBaggage(ctx, STEPMARK_ONLY);
  if (baggage.getEntry(BAGGAGE_KEY)?.value === BAGGAGE_ON) return ctx;
  return propagation.setBaggage(ctx, baggage.setEntry(BAGGAGE_KEY, { value: BAGGAGE_ON }));
}

/** `ctx` with `stepmark=1` and `stepmark.sig=<signature>` in its baggage, every other entry kept. */
export function withSignedStepmarkBaggage(ctx: Context, signature: string): Context {
  const flagged = withStepmarkBaggage(ctx);
  const baggage = propagation.getBaggage(flagged) ?? STEPMARK_ONLY;
  if (baggage.getEntry(SIGNATURE_KEY)?.value === signature) return flagged;
  return propagation.setBaggage(flagged, baggage.setEntry(SIGNATURE_KEY, { value: signature }));
}

/**
 * `ctx` whose baggage is stepmark's own entries only (`stepmark=1`, and `stepmark.sig` when
 * `signature` is given): whatever other baggage the request came with is not propagated on.
 */
export function withOnlyStepmarkBaggage(ctx: Context, signature?: string): Context {
  return propagation.setBaggage(
    ctx,
    signature === undefined
      ? STEPMARK_ONLY
      : STEPMARK_ONLY.setEntry(SIGNATURE_KEY, { value: signature }),
  );
}

/** The baggage of a request that had none: baggage is immutable, so one serves them all. */
const STEPMARK_ONLY = propagation.createBaggage({ [BAGGAGE_KEY]: { value: BAGGAGE_ON } });
