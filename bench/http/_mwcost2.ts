import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { middleware } from 'stepmark-otel/http';
const mw = middleware(process.argv[2] === 'nob' ? { honorBaggage: false } : {});
const next = () => {};
const res = {} as ServerResponse;
const sock = new Socket();
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
void req.headers;
const N = 2_000_000;
for (let round = 0; round < 5; round++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) mw(req, res, next);
  console.log((Number(process.hrtime.bigint() - t) / N).toFixed(1), 'ns/req');
}
