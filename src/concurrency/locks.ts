import { registry, reportInternalError } from '../core/registry.js';
import { labelOf } from '../core/sanitize.js';
import type { Task } from './engine/Task.js';
import { taskModel } from './engine/TaskModel.js';
import { concurrencyStats } from './concurrencyStats.js';
import { trackingSite, type TrackingSite } from './tasks.js';

// Module-local, for the disabled check's speed (see Registry.live).
const recording = registry;

/** How a lock is held: `write` excludes every other holder, `read` only writers. */
export type LockMode = 'read' | 'write';

/** Options of `withLock` and `trackLockAcquire`. */
export interface LockOptions {
  /** Default `write`. A read lock orders nothing against other readers. */
  mode?: LockMode;
  /**
   * A lock still held this long after its acquire is reported once: a `lock: not_released`
   * event in the request and `concurrencyStats().locksNotReleased`. Default 30,000; 0 = never.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_LOCK_ID = 256;

/** A held lock being watched for its release. */
interface Holding {
  site: TrackingSite;
  since: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** What each task holds, by lock id (the engine knows the mode; this knows the watch). */
const holdings = new WeakMap<Task, Map<string, Holding>>();

/**
 * Records that the running task now holds `lockId`: the lock's previous release happens before
 * everything the task does next, and accesses made while both sides held it are never reported
 * as races. Call it after the lock is held. A no-op when tracing is off.
 * @example await mutex.acquire(); trackLockAcquire('account:alice')
 */
export function trackLockAcquire(lockId: string, options?: LockOptions): void {
  if (recording.live === 0) return;
  try {
    const site = trackingSite();
    if (site !== undefined) acquired(site, lockId, options);
  } catch (error) {
    reportInternalError('trackLockAcquire', error);
  }
}

/**
 * Records that the running task released `lockId`: its accesses so far happen before the next
 * holder's. Call it before the lock is released. A no-op when tracing is off.
 */
export function trackLockRelease(lockId: string): void {
  if (recording.live === 0) return;
  try {
    const site = trackingSite();
    if (site !== undefined) released(site, lockId);
  } catch (error) {
    reportInternalError('trackLockRelease', error);
  }
}

/** A lock as `withLock` takes it: async-mutex style, or a synchronous one. */
export type LockLike = { acquire(): unknown } | { lock(): unknown; unlock(): unknown };

/**
 * Runs `fn` holding `lock`, and records it: the acquire once the lock is held, the release when
 * `fn` returns, throws or rejects (then the lock is released). `lock` is an async-mutex style
 * lock (`acquire()` gives a release function, or a `[value, release]` pair as a semaphore does,
 * or a promise of one) or a synchronous one (`lock()` and `unlock()`). Returns what `fn`
 * returns; awaits an async acquire. The lock is used whether tracing is on or not.
 * @example await withLock(mutex, 'account:alice', async () => { balance -= amount })
 */
export function withLock<T>(
  lock: LockLike,
  lockId: string,
  fn: () => T,
  options?: LockOptions,
): T | Promise<Awaited<T>> {
  checkLockArguments(lock, lockId, fn, options);
  if ('acquire' in lock && typeof lock.acquire === 'function') {
    const acquiring = lock.acquire();
    if (isPromiseLike(acquiring)) {
      return Promise.resolve(acquiring).then(
        (handle) => holding(handle, lockId, fn, options) as Awaited<T> | Promise<Awaited<T>>,
      );
    }
    return holding(acquiring, lockId, fn, options) as T | Promise<Awaited<T>>;
  }
  const sync = lock as { lock(): unknown; unlock(): unknown };
  sync.lock();
  return holding(() => sync.unlock(), lockId, fn, options) as T | Promise<Awaited<T>>;
}

/** Runs `fn` with the lock held (`handle` releases it), recording acquire and release. */
function holding<T>(
  handle: unknown,
  lockId: string,
  fn: () => T,
  options: LockOptions | undefined,
): T | Promise<Awaited<T>> {
  const release = releaseOf(handle);
  trackLockAcquire(lockId, options);
  const done = (): void => {
    trackLockRelease(lockId);
    release();
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    done();
    throw error;
  }
  if (!isPromiseLike(result)) {
    done();
    return result;
  }
  return Promise.resolve(result).finally(done) as Promise<Awaited<T>>;
}

/** The release function of an acquire's result: a function, or the second item of a pair. */
function releaseOf(handle: unknown): () => void {
  if (typeof handle === 'function') return handle as () => void;
  if (Array.isArray(handle) && typeof handle[1] === 'function') return handle[1] as () => void;
  throw new TypeError(
    'withLock: lock.acquire() must give a release function or a [value, release] pair ' +
      `(async-mutex style); got ${Array.isArray(handle) ? 'an array' : typeof handle}`,
  );
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Wrong arguments fail where they are given, before the lock is touched. */
function checkLockArguments(
  lock: unknown,
  lockId: unknown,
  fn: unknown,
  options: LockOptions | undefined,
): void {
  const l = lock as Record<string, unknown> | null;
  const usable =
    typeof l === 'object' &&
    l !== null &&
    (typeof l.acquire === 'function' ||
      (typeof l.lock === 'function' && typeof l.unlock === 'function'));
  if (!usable) {
    throw new TypeError(
      'withLock: lock must have acquire() (async-mutex style) or lock() and unlock()',
    );
  }
  if (typeof lockId !== 'string' || lockId === '') {
    throw new TypeError('withLock: lockId must be a non-empty string');
  }
  if (typeof fn !== 'function') throw new TypeError('withLock: fn must be a function');
  checkLockOptions('withLock', options);
}

/** Throws naming the option that is wrong. */
export function checkLockOptions(where: string, options: LockOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}: options must be an object`);
  }
  if (options.mode !== undefined && options.mode !== 'read' && options.mode !== 'write') {
    throw new TypeError(`${where}: options.mode must be 'read' or 'write'`);
  }
  const t = options.timeoutMs;
  if (t !== undefined && (typeof t !== 'number' || !Number.isFinite(t) || t < 0)) {
    throw new RangeError(`${where}: options.timeoutMs must be a finite number >= 0`);
  }
}

function acquired(site: TrackingSite, lockId: unknown, options: LockOptions | undefined): void {
  const id = labelOf(lockId, MAX_LOCK_ID);
  const mode = options?.mode === 'read' ? 'read' : 'write';
  taskModel.acquire(site.task, id, mode === 'read' ? 'shared' : 'exclusive');
  site.session.record(
    'lock',
    'acquired',
    { lock_id: id, mode, task_id: site.task.label },
    site.span,
  );
  const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let held = holdings.get(site.task);
  if (held === undefined) {
    held = new Map();
    holdings.set(site.task, held);
  }
  const holding: Holding = { site, since: site.session.now(), timer: undefined };
  if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
    holding.timer = setTimeout(() => notReleased(site.task, id, holding), timeoutMs);
    holding.timer.unref();
  }
  clearTimer(held.get(id));
  held.set(id, holding);
}

function released(site: TrackingSite, lockId: unknown): void {
  const id = labelOf(lockId, MAX_LOCK_ID);
  const wasHeld = taskModel.release(site.task, id);
  const held = holdings.get(site.task);
  clearTimer(held?.get(id));
  held?.delete(id);
  const meta: Record<string, unknown> = { lock_id: id, task_id: site.task.label };
  if (!wasHeld) meta.not_held = true;
  site.session.record('lock', 'released', meta, site.span);
}

function clearTimer(holding: Holding | undefined): void {
  if (holding?.timer !== undefined) clearTimeout(holding.timer);
}

/** The lock outlived its timeout: reported once, in its request when still open. */
function notReleased(task: Task, lockId: string, holding: Holding): void {
  try {
    if (holdings.get(task)?.get(lockId) !== holding) return;
    concurrencyStats.locksNotReleased++;
    const { session, span } = holding.site;
    const heldMs = Math.round(session.now() - holding.since);
    const meta = { lock_id: lockId, task_id: task.label, held_ms: heldMs };
    session.record('lock', 'not_released', meta, span);
  } catch (error) {
    reportInternalError('withLock', error);
  }
}
