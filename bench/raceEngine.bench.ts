// Race detection cost: ns per state access at 10k, 100k and 1M accesses. Detection must be
// linear in the number of accesses (bounded windows and clocks): ns/access at 1M at most 3x
// that at 10k. The baseline is the same workload with the engine's `observe` left out.
import { RaceEngine } from '../src/concurrency/engine/RaceEngine.js';
import type { Task } from '../src/concurrency/engine/Task.js';
import { TaskModel } from '../src/concurrency/engine/TaskModel.js';
import { finish, ns, nsPerOp, report } from './measure.js';

const REQUESTS = 8; // live at once
const TASKS = 4; // per request: the root and 3 branches
const VARIABLES = 1_000;
const SHARED = 16; // of them, hot variables every request uses (stock counters)
const ACCESSES_PER_REQUEST = 400; // then it ends and a new request takes its place
const names = Array.from({ length: VARIABLES }, (_, i) => `v${i}`);

/**
 * `n` accesses of a server with 8 requests in flight, each a root and 3 branches, over 1,000
 * variables: 90% to the request's own state (each task mostly its own two variables, 70% reads),
 * 10% to 16 shared counters, under their lock 9 times out of 10 (the rest: races to find).
 * A fresh model and engine per run; a fixed xorshift PRNG, so every run is the same workload.
 */
const workload = (detect: boolean) => (n: number) => {
  const model = new TaskModel();
  const engine = new RaceEngine<number>();
  let seq = 0;
  model.useSeq(() => ++seq);
  let rng = 0x9e3779b9;
  const next = (): number => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return rng >>> 0;
  };
  const start = (): Task[] => {
    const root = model.newRoot(`trace-${seq}`);
    return [root, ...Array.from({ length: TASKS - 1 }, (_, i) => model.fork(root, `branch${i}`))];
  };
  const finishRequest = (tasks: Task[]): void => {
    const [root, ...branches] = tasks as [Task, ...Task[]];
    for (const branch of branches) {
      model.end(branch);
      model.join(root, branch);
    }
    model.end(root);
  };
  const live = Array.from({ length: REQUESTS }, start);
  const serial = Array.from({ length: REQUESTS }, (_, r) => r);
  let nextSerial = REQUESTS;
  const done = new Uint32Array(REQUESTS);
  for (let i = 0; i < n; i++) {
    const r = i % REQUESTS;
    const tasks = live[r] as Task[];
    const random = next();
    const t = random % TASKS;
    const task = tasks[t] as Task;
    const shared = (random >>> 4) % 10 === 0;
    const v = shared
      ? (random >>> 8) % SHARED
      : SHARED +
        (((serial[r] ?? 0) * TASKS * 2 + t * 2 + ((random >>> 8) & 1)) % (VARIABLES - SHARED));
    const write = (random >>> 12) % 10 < 3;
    const locked = shared && (random >>> 16) % 10 !== 0;
    const lock = names[v] as string;
    if (locked) model.acquire(task, lock);
    if (detect) {
      engine.observe({
        variable: names[v] as string,
        access: write ? 'write' : 'read',
        task,
        seq: ++seq,
        payload: i,
      });
    } else {
      ++seq;
    }
    if (locked) model.release(task, lock);
    done[r] = (done[r] ?? 0) + 1;
    if (done[r] === ACCESSES_PER_REQUEST) {
      finishRequest(tasks);
      live[r] = start();
      serial[r] = nextSerial++;
      done[r] = 0;
    }
  }
  if (detect && n >= 1_000_000) lastStats = { ...engine.stats(), ...model.stats() };
};
let lastStats: Record<string, number> = {};

const sizes = [10_000, 100_000, 1_000_000];
const measured = sizes.map((n) => {
  const rounds = n >= 1_000_000 ? 3 : 9;
  const base = nsPerOp(workload(false), n, rounds);
  const total = nsPerOp(workload(true), n, rounds);
  return { n, base, total, detection: Math.max(0, total - base) };
});
const first = measured[0] as { detection: number };
for (const m of measured) {
  console.log(
    `${m.n.toLocaleString('en-US')} accesses: detection ${((m.detection * m.n) / 1e6).toFixed(1)} ms, ` +
      `${ns(m.detection)}/access (workload alone ${ns(m.base)}/access)`,
  );
}
for (const m of measured.slice(1)) {
  report(
    `detection per access, ${m.n.toLocaleString('en-US')} accesses`,
    m.detection / first.detection,
    'per access at 10,000 accesses',
    { max: 3 },
    `${ns(m.detection)} vs ${ns(first.detection)}`,
  );
}
console.log('at 1M:', JSON.stringify(lastStats));
finish();
