export { trackObjectWith } from './trackObjectWith.js';
export type { StateAccessKind, StateRecorder } from './StateRecorder.js';
export { SourceLocation, captureLocation } from './SourceLocation.js';
export { InMemoryStateRecorder } from './InMemoryStateRecorder.js';
export type { RecordedAccess } from './InMemoryStateRecorder.js';
