import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full (major) GC now: `global.gc` under `--expose-gc` (vitest.config.ts passes it), else the
 * same function from a fresh context after turning the flag on (works on Node 20 and 24).
 */
export function forceGc(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
