// A TaskModel and a RaceEngine of their own per test, and a seq counter shared by both, as the
// library shares `registry.seq`.
import type { StateAccessKind } from '../../../src/types.js';
import { RaceEngine, type RaceEngineOptions } from '../../../src/concurrency/engine/RaceEngine.js';
import type { Task } from '../../../src/concurrency/engine/Task.js';
import { TaskModel, type TaskModelOptions } from '../../../src/concurrency/engine/TaskModel.js';

/** What a test records as payload: a readable name of the access. */
export type Payload = string;

export interface Harness {
  model: TaskModel;
  engine: RaceEngine<Payload>;
  /** Observes `kind` of `variable` by `task`; the payload is `<task name>.<kind>` unless given. */
  access(
    task: Task,
    variable: string,
    kind: StateAccessKind,
    payload?: Payload,
    locks?: readonly string[],
  ): ReturnType<RaceEngine<Payload>['observe']>;
  /** Every race reported so far, in report order, as `kind: payload, payload`. */
  races: string[];
}

export function harness(
  engineOptions: RaceEngineOptions = {},
  modelOptions: TaskModelOptions = {},
): Harness {
  let seq = 0;
  const model = new TaskModel(modelOptions);
  model.useSeq(() => ++seq);
  const engine = new RaceEngine<Payload>(engineOptions);
  const races: string[] = [];
  return {
    model,
    engine,
    races,
    access(task, variable, kind, payload = `${task.name}.${kind}`, locks) {
      const seen = engine.observe({
        variable,
        access: kind,
        task,
        seq: ++seq,
        payload,
        ...(locks === undefined ? {} : { locks }),
      });
      for (const race of seen.races) races.push(`${race.kind}: ${race.payloads.join(', ')}`);
      return seen;
    },
  };
}
