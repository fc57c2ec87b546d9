// stepmark-otel/concurrency: state, locks and async tasks, and the race detector. Hand-written:
// named exports only.
export { trackStateChange } from './trackStateChange.js';
export { trackObject } from './trackObject/trackObject.js';
export { trackAsync } from './trackAsync.js';
export {
  trackLockAcquire,
  trackLockRelease,
  withLock,
  type LockLike,
  type LockMode,
  type LockOptions,
} from './locks.js';
export { trackFunction } from './trackFunction.js';
export { trackError } from './trackError.js';
export { trackEventLoopTasks } from './eventLoopTasks.js';
export { RaceDetector, type RaceDetectorOptions, type RaceDetectorStats } from './RaceDetector.js';
export { concurrencyStats } from './concurrencyStats.js';
export type { Race, RaceKind, StateAccess, StateAccessKind } from '../types.js';
