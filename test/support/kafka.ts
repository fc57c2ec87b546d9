// A real Apache Kafka broker (KRaft, one node) for the broker tests: scripts/kafka.sh fetches the
// jars and runs it; each test file gets its own run folder and free 127.0.0.1 ports, and stops
// (or restarts) it itself.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './jaeger.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = join(repo, 'scripts/kafka.sh');
const run = promisify(execFile);

/** The cached Kafka jars, or why there are none (for a one-line skip reason). */
export function findKafka(): { libs: string } | { reason: string } {
  if (spawnSync('java', ['-version']).status !== 0) return { reason: 'no Java on this machine' };
  const path = spawnSync('bash', [script, 'path'], { encoding: 'utf8' });
  const libs = path.stdout.trim();
  if (path.status === 0 && libs && existsSync(join(libs, '.complete'))) return { libs };
  return { reason: 'no Kafka jars (fetch them with `npm run kafka -- build`; needs Maven)' };
}

/** A Kafka broker on its own ports and run folder, driven through scripts/kafka.sh. */
export class KafkaBroker {
  readonly #env: NodeJS.ProcessEnv;

  private constructor(
    readonly port: number,
    readonly runDir: string,
    controllerPort: number,
  ) {
    this.#env = {
      ...process.env,
      STEPMARK_KAFKA_RUN: runDir,
      STEPMARK_KAFKA_PORT: String(port),
      STEPMARK_KAFKA_CONTROLLER_PORT: String(controllerPort),
    };
  }

  /** Picks free ports and a run folder; does not start yet. */
  static async create(): Promise<KafkaBroker> {
    const runDir = mkdtempSync(join(tmpdir(), 'stepmark-kafka-'));
    return new KafkaBroker(await freePort(), runDir, await freePort());
  }

  /** `host:port` for a client's `brokers`. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the broker (formatting its data folder the first time) and waits until it serves. */
  async start(): Promise<void> {
    await this.#script('start');
  }

  /** Stops the broker; its data stays, so `start` brings the same topics and offsets back. */
  async stop(): Promise<void> {
    await this.#script('stop');
  }

  /** Stops the broker and deletes its run folder. */
  async destroy(): Promise<void> {
    await this.#script('clean');
    rmSync(this.runDir, { recursive: true, force: true });
  }

  /** The broker's log so far, for failure messages. */
  get log(): string {
    try {
      return readFileSync(join(this.runDir, 'kafka.log'), 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  async #script(command: string): Promise<void> {
    try {
      await run('bash', [script, command], { env: this.#env, timeout: 180_000 });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`kafka.sh ${command} failed: ${stderr ?? String(error)}\n${this.log}`);
    }
  }
}
