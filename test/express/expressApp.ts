import { createServer } from 'node:http';
import type Express from 'express';
import { stepmark } from '../../src/express/index.js';
import { decide, type StartApp } from '../support/adapterSuite.js';
import { listen } from '../support/listen.js';

/** The test app: Express with the adapter first, routes after. */
export function expressApp(express: typeof Express): StartApp {
  return (options) => {
    const app = express();
    app.use(stepmark(options));
    app.get('/orders/:id', (req, res) => void res.send(decide(String(req.params.id))));
    app.post('/orders', express.json(), (req, res) => {
      res.send(decide(String((req.body as { id: string }).id)));
    });
    app.post('/raw', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += String(chunk)));
      req.on('end', () => void res.send(decide((JSON.parse(body) as { id: string }).id)));
    });
    return listen(createServer(app));
  };
}
