import { AsyncLocalStorage } from 'node:async_hooks';
import { context, trace, type Span } from '@opentelemetry/api';
import { sessionOf } from '../core/activeSession.js';
import type { Session } from '../core/session/Session.js';
import type { Task } from './engine/Task.js';
import { taskModel } from './engine/TaskModel.js';

/**
 * The task running now, when it is not the request's root task: a `trackAsync` branch or an
 * event-loop callback (`trackEventLoopTasks`). Our own storage, beside OTel's context, so that
 * tasks need nothing of the context manager and cost nothing when tracing is off.
 */
export const taskStorage = new AsyncLocalStorage<Task>();

/** Each request's root task, made at its first tracked call: keyed by its session. */
const roots = new WeakMap<Session, Task>();

/** Root tasks by trace, so that a `RaceDetector` can end them when the request ends. */
const rootsByTrace = new Map<string, Task[]>();
/** Traces whose roots are remembered at once; past it the oldest are ended (counted by the engine). */
const MAX_REMEMBERED_TRACES = 10_000;
/** Whether a detector exists: roots are remembered for ending only once one may end them. */
let endingRoots = false;

/** Where a tracked call records: the request's session, its span and the task it runs in. */
export interface TrackingSite {
  session: Session;
  span: Span | undefined;
  task: Task;
}

/**
 * The session, span and task of the active context, or undefined when tracing is off there.
 * The caller has checked `registry.live` first (the disabled path).
 */
export function trackingSite(): TrackingSite | undefined {
  const ctx = context.active();
  const session = sessionOf(ctx);
  if (session === undefined || session.closed) return undefined;
  const span = trace.getSpan(ctx);
  const traceId = session.traceId ?? span?.spanContext().traceId;
  if (traceId === undefined) return undefined;
  return { session, span, task: taskIn(session, traceId) };
}

/** The task running now in `session`'s request: a branch of it, else its root task. */
export function taskIn(session: Session, traceId: string): Task {
  const running = taskStorage.getStore();
  if (running !== undefined && running.root.traceId === traceId) return running;
  let root = roots.get(session);
  if (root === undefined) {
    root = taskModel.newRoot(traceId);
    roots.set(session, root);
    if (endingRoots) remember(traceId, root);
  }
  return root;
}

function remember(traceId: string, root: Task): void {
  const known = rootsByTrace.get(traceId);
  if (known !== undefined) {
    known.push(root);
    return;
  }
  if (rootsByTrace.size >= MAX_REMEMBERED_TRACES) {
    const oldest = rootsByTrace.keys().next().value;
    if (oldest !== undefined) endRootsOf(oldest);
  }
  rootsByTrace.set(traceId, [root]);
}

/** Who hears that a task ended (the detectors: a race held back for its reader is due then). */
const endListeners = new Set<(task: Task) => void>();

/** Calls `listener` with each task that ends from now on; returns the unsubscriber. */
export function onTaskEnd(listener: (task: Task) => void): () => void {
  endListeners.add(listener);
  return () => endListeners.delete(listener);
}

/** Ends `task` in the model and tells the listeners. */
export function endTask(task: Task): void {
  if (task.ended) return;
  taskModel.end(task);
  for (const listener of endListeners) listener(task);
}

/** The request of `traceId` ended: its root tasks end (their branches end on their own). */
export function endRootsOf(traceId: string): void {
  const known = rootsByTrace.get(traceId);
  if (known === undefined) return;
  rootsByTrace.delete(traceId);
  for (const root of known) endTask(root);
}

/** A detector exists: from now on, roots are remembered so that it can end them. */
export function startEndingRoots(): void {
  endingRoots = true;
}
