import { basename } from 'node:path';

type Frames = NodeJS.CallSite[];

/** Stack frames above `above`; cheap enough because it runs only for recording calls. */
function framesAbove(above: (...args: never[]) => unknown): Frames | undefined {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_error, frames) => frames;
    const holder: { stack?: Frames } = {};
    Error.captureStackTrace(holder, above);
    return holder.stack;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/** 'Class.method' for methods, the function's name otherwise, 'anonymous@file:line' when it has none. */
function nameOfFrame(site: NodeJS.CallSite): string {
  // A dotted name is one V8 inferred from the surrounding code (e.g. 'stepmark.withTracing.x' for
  // an arrow passed as an argument), not one the function was given: treat it as anonymous.
  const given = site.getFunctionName();
  const fn = given && !given.includes('.') ? given : null;
  const type = site.isToplevel() ? null : site.getTypeName();
  if (fn) return type && type !== 'Object' && type !== 'global' ? `${type}.${fn}` : fn;
  const method = site.getMethodName();
  if (method) return type && type !== 'Object' ? `${type}.${method}` : method;
  const file = site.getFileName();
  return file ? `anonymous@${basename(file)}:${site.getLineNumber() ?? 0}` : 'anonymous';
}

/**
 * The name of the function that called `api` (the public function the user invoked), read from
 * the V8 stack. Used as the stage of `step` and `enter`.
 * @example function validate() { stepmark.step('ok') } // stage 'validate'
 */
export function callerName(api: (...args: never[]) => unknown): string {
  try {
    const site = framesAbove(api)?.[0];
    return site ? nameOfFrame(site) : 'anonymous';
  } catch {
    return 'anonymous';
  }
}

/**
 * A stage to be named after the caller of `api`, resolved only once the call is known to record
 * (after the enabled check, the caps and the entity filter), so that filtered calls never walk
 * the stack.
 */
export class CallerStage {
  constructor(readonly api: (...args: never[]) => unknown) {}
}
