// trackObject: a property read through the tracking proxy with tracing off must cost at most 1.5x
// the same read through an empty Proxy whose `get` trap only does Reflect.get (the Proxy's own
// cost is the floor), and allocate nothing; the cost with tracing on is reported.
// node-flags: --min-semi-space-size=64 --max-semi-space-size=64
// (a young generation that holds a whole measuring loop: no scavenge hides an allocation)
import { trackObjectWith, type StateRecorder } from '../src/concurrency/trackObject/index.js';
import { bytesPerCall, finish, ns, nsPerOp, pairedNsPerOp, report } from './measure.js';

const N = 10_000_000;
const N_ON = 200_000;
let sink = 0;

const off: StateRecorder = { active: () => false, record: () => undefined };
let counted = 0;
const counting: StateRecorder = {
  active: () => true,
  record: () => {
    counted++;
  },
};
let formatted = 0;
const formatting: StateRecorder = {
  active: () => true,
  record: (_variable, _access, _value, _old, location) => {
    formatted += String(location).length;
  },
};

const data = () => ({ alice: { balance: 100, name: 'alice' } });
const empty = new Proxy(data().alice, { get: (t, k, r) => Reflect.get(t, k, r) });
const emptyRoot = new Proxy(data(), { get: (t, k, r) => Reflect.get(t, k, r) });
const trackedOff = trackObjectWith(off, data(), 'accounts');
const leafOff = trackedOff.alice;
const leafOn = trackObjectWith(counting, data(), 'accounts').alice;
const leafFormatting = trackObjectWith(formatting, data(), 'accounts').alice;

const emptyLoop = (n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += empty.balance;
  sink += s;
};
const offLoop = (n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += leafOff.balance;
  sink += s;
};
const emptyNestedLoop = (n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += emptyRoot.alice.balance;
  sink += s;
};
const offNestedLoop = (n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += trackedOff.alice.balance;
  sink += s;
};
const onLoop = (n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += leafOn.balance;
  sink += s;
};
const formattingLoop = (n: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += leafFormatting.balance;
  sink += s;
};

const [emptyNs, offNs] = pairedNsPerOp(emptyLoop, offLoop, N);
report(
  'trackObject property read, tracing off',
  offNs / emptyNs,
  'read through an empty Proxy get trap (Reflect.get)',
  { max: 1.5 },
  `${ns(offNs)} vs ${ns(emptyNs)}`,
);
const [emptyNestedNs, offNestedNs] = pairedNsPerOp(emptyNestedLoop, offNestedLoop, N / 2);
report(
  'trackObject nested read p.alice.balance, tracing off (two traps; the child proxy, and a property-descriptor check the Proxy invariants need)',
  offNestedNs / emptyNestedNs,
  'the same read through an empty Proxy (whose nested object is not wrapped)',
  undefined,
  `${ns(offNestedNs)} vs ${ns(emptyNestedNs)}`,
);
let kept: unknown;
const allocatingLoop = (n: number) => {
  for (let i = 0; i < n; i++) kept = { score: i, ok: true };
};
const referenceBytes = bytesPerCall(allocatingLoop);
const emptyBytes = bytesPerCall(emptyLoop);
const offBytes = bytesPerCall(offLoop);
const offNestedBytes = bytesPerCall(offNestedLoop);
console.log(
  `  heap bytes per read: leaf ${offBytes.toFixed(2)}, nested ${offNestedBytes.toFixed(2)}, empty Proxy ${emptyBytes.toFixed(2)}, a loop keeping a 2-key object ${referenceBytes.toFixed(2)}`,
);
// The instrument must see a real allocation, or a 0 above would prove nothing.
if (referenceBytes < 16) {
  console.log('  MISS: the allocation measurement missed the reference allocation');
  process.exitCode = 1;
}
if (kept === undefined) console.log(kept);
report('trackObject property read, tracing off, heap allocated per read', offBytes, 'bytes', {
  max: 0.5,
});

// Tracing on: every read records, capturing the user's location (a 4-frame stack capture).
const [emptyOnNs, onNs] = pairedNsPerOp(emptyLoop, onLoop, N_ON);
report(
  'trackObject property read, tracing on (recorder only counts; location captured, not formatted)',
  onNs / emptyOnNs,
  'read through an empty Proxy get trap',
  undefined,
  `${ns(onNs)} vs ${ns(emptyOnNs)}`,
);
const formattingNs = nsPerOp(formattingLoop, N_ON / 4, 5);
report(
  'trackObject property read, tracing on, location formatted (file:line:column)',
  formattingNs / emptyOnNs,
  'read through an empty Proxy get trap',
  undefined,
  ns(formattingNs),
);
if (sink === -1 || counted === -1 || formatted === -1) console.log(sink);
finish();
