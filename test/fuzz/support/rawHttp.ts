// A raw HTTP/1.1 client over a TCP socket: header values are sent as the bytes given, which
// Node's own client (and fetch) would refuse to send. For fuzzing a server on 127.0.0.1 only.
import { connect } from 'node:net';

/** The first response on the connection: status, headers (lower-case names) and body. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One header to send: its name and the bytes of its value. */
export interface RawHeader {
  name: string;
  value: string;
  encoding: 'utf8' | 'latin1';
}

/** Sends one request and reads until the server closes; rejects after `timeoutMs`. */
export function rawRequest(
  port: number,
  path: string,
  headers: readonly RawHeader[],
  timeoutMs = 5_000,
): Promise<RawResponse> {
  const head = Buffer.concat([
    Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`, 'latin1'),
    ...headers.map((h) =>
      Buffer.concat([
        Buffer.from(`${h.name}: `, 'latin1'),
        Buffer.from(h.value, h.encoding),
        Buffer.from('\r\n'),
      ]),
    ),
    Buffer.from('\r\n'),
  ]);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the response is not a failure here
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})[^\r\n]*\r\n/.exec(text);
      if (match === null) {
        reject(new Error(`no HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const end = text.indexOf('\r\n\r\n');
      const headerLines = text.slice(match[0].length, end < 0 ? undefined : end).split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) parsed[line.slice(0, colon).toLowerCase()] ??= line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(match[1]),
        headers: parsed,
        body: end < 0 ? '' : text.slice(end + 4),
      });
    });
    socket.end(head);
  });
}
