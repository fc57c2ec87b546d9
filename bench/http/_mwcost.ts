import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { context, propagation } from '@opentelemetry/api';
import { middleware, headerTrigger } from 'stepmark-otel/http';
const mw = middleware({});
const mwNoBaggage = middleware({ honorBaggage: false });
const trig = headerTrigger('x-stepmark');
const next = () => {};
const res = {} as ServerResponse;
const sock = new Socket();
function mk() {
  const req = new IncomingMessage(sock);
  req.rawHeaders = [
    'Host',
    '127.0.0.1:1234',
    'User-Agent',
    'autocannon',
    'Accept',
    '*/*',
    'Connection',
    'keep-alive',
  ];
  return req;
}
const N = 200_000;
const cases: Record<string, (r: IncomingMessage) => void> = {
  none: () => {},
  headers: (r) => void r.headers['x-stepmark'],
  'headers+mw': (r) => {
    void r.headers;
    mw(r, res, next);
  },
  'headers+mw(honorBaggage:false)': (r) => {
    void r.headers;
    mwNoBaggage(r, res, next);
  },
  'headers+trigger': (r) => {
    void r.headers;
    trig(r, r);
  },
  'headers+getBaggage': (r) => {
    void r.headers;
    propagation.getBaggage(context.active());
  },
  'headers+baggage hdr': (r) => {
    void r.headers['baggage'];
  },
};
for (let round = 0; round < 3; round++) {
  for (const [name, fn] of Object.entries(cases)) {
    const fresh = Array.from({ length: N }, mk);
    const t = process.hrtime.bigint();
    for (const r of fresh) fn(r);
    if (round === 2)
      console.log(name.padEnd(32), (Number(process.hrtime.bigint() - t) / N).toFixed(0), 'ns/req');
  }
}
