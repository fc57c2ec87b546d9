// The happens-before and race detection engine of `stepmark-otel/concurrency`: pure, no
// OpenTelemetry. Named exports only.
export { AccessWindow, type TaskSlot } from './AccessWindow.js';
export { happensBefore, type AccessPoint } from './happensBefore.js';
export { LockClock } from './LockClock.js';
export type { HeldLock, LockMode } from './LockMode.js';
export { PairLedger } from './PairLedger.js';
export {
  RaceEngine,
  type ObservedAccess,
  type Observation,
  type RaceEngineOptions,
  type RaceEngineStats,
  type RaceFinding,
} from './RaceEngine.js';
export { RequestRoot } from './RequestRoot.js';
export { Task } from './Task.js';
export { TaskModel, taskModel, type TaskModelOptions, type TaskModelStats } from './TaskModel.js';
export { VectorClock } from './VectorClock.js';
export { shareLock, type WindowEntry } from './WindowEntry.js';
