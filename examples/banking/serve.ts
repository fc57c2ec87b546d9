import { createServer } from 'node:http';
import type { Express } from 'express';

/** A running server: its base URL, and how to stop it. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1, on a free port. */
export async function serve(app: Express): Promise<Served> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections of the client would hold the server open.
        server.closeAllConnections();
      }),
  };
}
