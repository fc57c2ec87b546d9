import { context, trace } from '@opentelemetry/api';
import { sessionOf } from './activeSession.js';
import { CallerStage } from './callerName.js';
import { enterWith, type Exit } from './enter.js';
import type { EntityId, MetaInput } from './record.js';
import { registry, reportInternalError } from './registry.js';
import { labelOf } from './sanitize.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/** A scope's kind is cut as a label is by default (`maxStringLength`). */
const MAX_KIND_LENGTH = 2_048;

/** Entity calls that all carry one kind; create it once, at module level, and use it anywhere. */
export interface Scope {
  readonly kind: string;
  /** As `stepmark.track`, with this kind. */
  track(entityId: EntityId, meta?: MetaInput): void;
  /** As `stepmark.recordEntity`, with this kind. */
  recordEvent(entityId: EntityId, stage: string, action: string, meta?: MetaInput): void;
  /** As `stepmark.stepEntity`, with this kind. */
  step(entityId: EntityId, action: string, meta?: MetaInput): void;
  /** As `stepmark.enterEntity`, with this kind. */
  enter(entityId: EntityId, meta?: MetaInput): Exit;
}

/**
 * Entity calls bound to `kind`; every method is a no-op when stepmark is off.
 * @example const orders = stepmark.scope('order'); orders.recordEvent('order_42', 'pricing', 'discounted');
 */
export function scope(kind: string): Scope {
  const k = labelOf(kind, MAX_KIND_LENGTH); // never throws, whatever the caller passes
  // Arrow functions, so that `const { step } = orders` works and `step` can name its own caller.
  const scoped: Scope = {
    kind: k,
    track: (entityId, meta) => {
      if (recording.live === 0) return;
      try {
        const ctx = context.active();
        sessionOf(ctx)?.track(entityId, meta, k, trace.getSpan(ctx));
      } catch (error) {
        reportInternalError('scope.track', error);
      }
    },
    recordEvent: (entityId, stage, action, meta) => {
      if (recording.live === 0) return;
      try {
        const ctx = context.active();
        sessionOf(ctx)?.recordEntity(entityId, stage, action, meta, trace.getSpan(ctx), k);
      } catch (error) {
        reportInternalError('scope.recordEvent', error);
      }
    },
    step: (entityId, action, meta) => {
      if (recording.live === 0) return;
      try {
        const ctx = context.active();
        const stage = new CallerStage(scoped.step);
        sessionOf(ctx)?.recordEntity(entityId, stage, action, meta, trace.getSpan(ctx), k);
      } catch (error) {
        reportInternalError('scope.step', error);
      }
    },
    enter: (entityId, meta) => enterWith(scoped.enter, entityId, meta, k),
  };
  return scoped;
}
