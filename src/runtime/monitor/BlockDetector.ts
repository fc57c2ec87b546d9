import type { Context } from '@opentelemetry/api';
import { Frame } from '../Frame.js';
import type { StretchShares } from './StretchShares.js';
import type { FrameInfo, WatchedRequest } from './WatchedRequest.js';

/** Frames named in a `stack`, at most (a runaway nesting is cut). */
const MAX_STACK = 16;

/** The task, region and frame stack of work that ran in `where` (a frame or a context). */
export function frameInfo(where: unknown): FrameInfo {
  const frame =
    where instanceof Frame
      ? where
      : where !== null && typeof where === 'object'
        ? Frame.liveIn(where as Context)
        : undefined;
  if (frame === undefined) return {};
  const info: FrameInfo = {};
  const task = frame.task;
  if (task !== undefined) info.task = task.name;
  // The innermost region inside that task (a region around a subtask is the outer task's).
  if (frame.kind === 'region') info.region = frame.name;
  const stack: string[] = [];
  for (let f: Frame | undefined = frame; f !== undefined && stack.length < MAX_STACK; f = f.parent)
    stack.push(`${f.kind} ${f.name}`);
  info.stack = stack;
  return info;
}

/**
 * Names who blocked whom in a long stretch of synchronous work (a callback and the microtasks
 * after it, `thresholdMs` or longer), from the shares of the traced requests that ran in it:
 * each open request gets a `blocked` entry for the part of the stretch that was not its own
 * work (when that part reaches the threshold), naming the request that did most of that part
 * (at least half of it); each request whose own share reaches the threshold gets a `blocking`
 * entry naming the requests it blocked.
 */
export class BlockDetector {
  constructor(readonly thresholdMs: number) {}

  /** The stretch `[start, end]` was long; `open` are the requests open now. */
  stretch(start: number, end: number, shares: StretchShares, open: Iterable<WatchedRequest>): void {
    const threshold = this.thresholdMs;
    const infos = new Map<WatchedRequest, FrameInfo>();
    const infoOf = (i: number): FrameInfo => {
      const owner = shares.owner(i);
      let info = infos.get(owner);
      if (info === undefined) infos.set(owner, (info = frameInfo(shares.where(i))));
      return info;
    };
    const blockedBy = new Map<WatchedRequest, string[]>();
    for (const request of open) {
      // Only while it was open: a request that started in the stretch waited only from then.
      const from = Math.max(start, request.startedAt);
      const waited = end - from - shares.of(request);
      if (waited < threshold) continue;
      // The request that did most of what it waited for, if one did (else untraced work, or many).
      let by = -1;
      for (let i = 0; i < shares.size; i++) {
        if (shares.owner(i) === request || shares.ms(i) < waited / 2) continue;
        if (by < 0 || shares.ms(i) > shares.ms(by)) by = i;
      }
      if (by < 0) {
        request.addBlocked(from, end, waited, undefined, {});
        continue;
      }
      const blocker = shares.owner(by);
      request.addBlocked(from, end, waited, blocker, infoOf(by));
      const list = blockedBy.get(blocker);
      if (list === undefined) blockedBy.set(blocker, [request.traceId]);
      else list.push(request.traceId);
    }
    for (let i = 0; i < shares.size; i++) {
      if (shares.ms(i) < threshold) continue;
      const owner = shares.owner(i);
      owner.addBlocking(start, end, shares.ms(i), infoOf(i), blockedBy.get(owner) ?? []);
    }
  }
}
