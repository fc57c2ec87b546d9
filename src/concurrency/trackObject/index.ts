export { trackObjectWith } from './trackObjectWith.js';
export type { StateRecorder } from './StateRecorder.js';
export { trackObject } from './trackObject.js';
export { SourceLocation, captureLocation } from './SourceLocation.js';
