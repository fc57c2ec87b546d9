// A real Jaeger v2 for the end-to-end tests: the binary built by scripts/jaeger.sh, started here on
// free 127.0.0.1 ports with jaeger/config.yaml, stopped (and restarted) by the tests themselves.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The cached Jaeger binary, or why there is none (for a one-line skip reason). */
export function findJaeger(): { binary: string } | { reason: string } {
  const fromEnv = process.env.STEPMARK_JAEGER_BIN;
  if (fromEnv)
    return existsSync(fromEnv)
      ? { binary: fromEnv }
      : { reason: `STEPMARK_JAEGER_BIN=${fromEnv} does not exist` };
  const path = spawnSync('bash', [join(repo, 'scripts/jaeger.sh'), 'path'], { encoding: 'utf8' });
  const binary = path.stdout.trim();
  if (path.status === 0 && binary && existsSync(binary)) return { binary };
  return { reason: 'no Jaeger binary (build it with `bash scripts/jaeger.sh build`; needs Go)' };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `check` until it returns a value, up to `attempts` times, `everyMs` apart. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  attempts = 150,
  everyMs = 200,
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A Jaeger process on its own ports. */
export class JaegerProcess {
  #child: ChildProcess | undefined;
  #log = '';
  readonly ports: {
    otlpHttp: number;
    otlpGrpc: number;
    query: number;
    queryGrpc: number;
    health: number;
  };

  private constructor(
    readonly binary: string,
    ports: JaegerProcess['ports'],
  ) {
    this.ports = ports;
  }

  /** Picks free ports; does not start yet. */
  static async create(binary: string): Promise<JaegerProcess> {
    return new JaegerProcess(binary, {
      otlpHttp: await freePort(),
      otlpGrpc: await freePort(),
      query: await freePort(),
      queryGrpc: await freePort(),
      health: await freePort(),
    });
  }

  get otlpTracesUrl(): string {
    return `http://127.0.0.1:${this.ports.otlpHttp}/v1/traces`;
  }

  get queryUrl(): string {
    return `http://127.0.0.1:${this.ports.query}`;
  }

  /** Starts Jaeger and waits until its query API answers. */
  async start(): Promise<void> {
    const run = mkdtempSync(join(tmpdir(), 'stepmark-jaeger-'));
    this.#log = '';
    this.#child = spawn(this.binary, ['--config', join(repo, 'jaeger/config.yaml')], {
      cwd: run,
      env: {
        ...process.env,
        JAEGER_LISTEN_HOST: '127.0.0.1',
        STEPMARK_JAEGER_OTLP_HTTP_PORT: String(this.ports.otlpHttp),
        STEPMARK_JAEGER_OTLP_GRPC_PORT: String(this.ports.otlpGrpc),
        STEPMARK_JAEGER_QUERY_PORT: String(this.ports.query),
        STEPMARK_JAEGER_QUERY_GRPC_PORT: String(this.ports.queryGrpc),
        STEPMARK_JAEGER_HEALTH_PORT: String(this.ports.health),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-20_000);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    const child = this.#child;
    await eventually(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`jaeger exited ${child.exitCode}: ${this.#log.slice(-2000)}`);
        const response = await fetch(`${this.queryUrl}/api/v3/services`);
        return response.ok ? true : undefined;
      },
      'Jaeger to start',
      300,
    );
  }

  /** Stops Jaeger (SIGTERM, then SIGKILL) and waits for the process to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }

  /** The last lines Jaeger logged, for failure messages. */
  get log(): string {
    return this.#log;
  }
}
