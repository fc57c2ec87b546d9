import { context, trace } from '@opentelemetry/api';
import { sessionOf } from './activeSession.js';
import { CallerStage } from './callerName.js';
import { registry, reportInternalError } from './registry.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/** An entity id: a non-empty string; numbers and bigints are recorded as their decimal string. */
export type EntityId = string | number | bigint;

/** Caller meta: any object; values are sanitized to JSON-safe data at call time (see docs). */
export type MetaInput = Record<string, unknown>;

/**
 * Registers an entity of the request: meta merges key by key over earlier meta, a given kind
 * replaces an earlier one. A no-op when stepmark is off.
 * @example stepmark.track('order_42', { total: 99.5 }, { kind: 'order' })
 */
export function track(entityId: EntityId, meta?: MetaInput, options?: { kind?: string }): void {
  // Disabled path: one load and a return; no context lookup, no allocation.
  if (recording.live === 0) return;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx);
    if (session !== undefined) session.track(entityId, meta, options?.kind, trace.getSpan(ctx));
  } catch (error) {
    reportInternalError('track', error);
  }
}

/**
 * Records a decision about one entity (creating it if unseen), as a span event on the active span.
 * @example stepmark.recordEntity('order_42', 'fraud_check', 'cleared', { score: 0.02 })
 */
export function recordEntity(
  entityId: EntityId,
  stage: string,
  action: string,
  meta?: MetaInput,
): void {
  if (recording.live === 0) return;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx);
    if (session !== undefined) {
      session.recordEntity(entityId, stage, action, meta, trace.getSpan(ctx));
    }
  } catch (error) {
    reportInternalError('recordEntity', error);
  }
}

/**
 * Records an event of the request itself, tied to no entity.
 * @example stepmark.record('cache', 'miss', { key: 'prices:eu' })
 */
export function record(stage: string, action: string, meta?: MetaInput): void {
  if (recording.live === 0) return;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx);
    if (session !== undefined) session.record(stage, action, meta, trace.getSpan(ctx));
  } catch (error) {
    reportInternalError('record', error);
  }
}

/**
 * As `record`, with the calling function's name as the stage (read from the stack only when recording).
 * @example function applyCoupon() { stepmark.step('applied', { code: 'X10' }) } // stage 'applyCoupon'
 */
export function step(action: string, meta?: MetaInput): void {
  if (recording.live === 0) return;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx);
    if (session !== undefined) {
      session.record(new CallerStage(step), action, meta, trace.getSpan(ctx));
    }
  } catch (error) {
    reportInternalError('step', error);
  }
}

/**
 * As `recordEntity`, with the calling function's name as the stage.
 * @example function reserveStock(id) { stepmark.stepEntity(id, 'reserved') } // stage 'reserveStock'
 */
export function stepEntity(entityId: EntityId, action: string, meta?: MetaInput): void {
  if (recording.live === 0) return;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx);
    if (session !== undefined) {
      session.recordEntity(entityId, new CallerStage(stepEntity), action, meta, trace.getSpan(ctx));
    }
  } catch (error) {
    reportInternalError('stepEntity', error);
  }
}
