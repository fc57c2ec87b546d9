import { context, trace, type Span } from '@opentelemetry/api';
import { sessionOf } from './activeSession.js';
import { CallerStage } from './callerName.js';
import { DISPOSE } from './dispose.js';
import type { EntityId, MetaInput } from './record.js';
import { registry, reportInternalError } from './registry.js';
import { isPlainObject } from './sanitize.js';
import type { Session } from './session/Session.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/**
 * Ends what `enter` began: records `exited` with `meta.duration_ms`. Call it, or let `using`
 * dispose it. Only the first call records.
 */
export interface Exit extends Disposable {
  (meta?: MetaInput): void;
}

function noopExit(): void {}
/** The exit of a call that did not record: one shared function, nothing allocated. */
export const NOOP_EXIT: Exit = Object.assign(noopExit, { [DISPOSE]: noopExit });

/** An exit bound to the session and stage of the matching `entered` event. */
function createExit(
  session: Session,
  stage: string,
  entityId: EntityId | undefined,
  kind: string | undefined,
  enteredOn: Span | undefined,
): Exit {
  const start = session.now();
  let done = false;
  const exit = (meta?: MetaInput): void => {
    if (done) return;
    done = true;
    try {
      const duration = Math.round((session.now() - start) * 1000) / 1000;
      // A plain object gains `duration_ms`; anything else (a typed array, a Map: spreading one
      // costs a key per element) is kept whole, as a meta argument of another kind would be.
      let exitMeta: Record<string, unknown> = { duration_ms: duration };
      if (meta !== null && typeof meta === 'object') {
        exitMeta = isPlainObject(meta)
          ? { ...meta, duration_ms: duration }
          : { value: meta, duration_ms: duration };
      } else if (meta !== undefined) {
        exitMeta = { value: meta, duration_ms: duration };
      }
      // Prefer the span active at exit time; fall back to the entering span when exit runs elsewhere.
      const ctx = context.active();
      const span = sessionOf(ctx) === session ? trace.getSpan(ctx) : enteredOn;
      if (entityId === undefined) session.record(stage, 'exited', exitMeta, span);
      else session.recordEntity(entityId, stage, 'exited', exitMeta, span, kind);
    } catch (error) {
      reportInternalError('exit', error);
    }
  };
  return Object.assign(exit, { [DISPOSE]: () => exit() });
}

/** Shared body of `enter`, `enterEntity` and `Scope.enter`; `api` names the caller for the stage. */
export function enterWith(
  api: (...args: never[]) => unknown,
  entityId: EntityId | undefined,
  meta: MetaInput | undefined,
  kind: string | undefined,
): Exit {
  if (recording.live === 0) return NOOP_EXIT;
  try {
    const ctx = context.active();
    const session = sessionOf(ctx);
    if (session === undefined) return NOOP_EXIT;
    const span = trace.getSpan(ctx);
    const stage =
      entityId === undefined
        ? session.record(new CallerStage(api), 'entered', meta, span)
        : session.recordEntity(entityId, new CallerStage(api), 'entered', meta, span, kind);
    return stage === undefined ? NOOP_EXIT : createExit(session, stage, entityId, kind, span);
  } catch (error) {
    reportInternalError('enter', error);
    return NOOP_EXIT;
  }
}

/**
 * Records `entered` (stage = the calling function's name) and returns the matching exit.
 * @example function price() { using _ = stepmark.enter(); ... } // entered, then exited with duration_ms
 */
export function enter(meta?: MetaInput): Exit {
  return recording.live === 0 ? NOOP_EXIT : enterWith(enter, undefined, meta, undefined);
}

/**
 * As `enter`, for one entity.
 * @example const exit = stepmark.enterEntity('order_42'); await pay(order); exit({ paid: true });
 */
export function enterEntity(entityId: EntityId, meta?: MetaInput): Exit {
  return recording.live === 0 ? NOOP_EXIT : enterWith(enterEntity, entityId, meta, undefined);
}
