// A Jaeger started and stopped through scripts/jaeger.sh (what `npm run jaeger -- start` runs),
// on free 127.0.0.1 ports and in a run dir of its own, so that it never meets a Jaeger started by
// someone else. Unlike test/support/jaeger.ts, it goes through the script, which is what picks
// the web UI (STEPMARK_JAEGER_UI, ../shared/jaeger-ui, the cache) or the placeholder page.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../support/jaeger.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = join(repo, 'scripts/jaeger.sh');
const run = promisify(execFile);

/** The built Jaeger UI folder `jaeger.sh start` would serve, or why it would serve the placeholder. */
export function findJaegerUi(): { folder: string } | { reason: string } {
  const ui = spawnSync('bash', [script, 'ui'], { encoding: 'utf8' });
  const folder = ui.stdout.trim();
  if (ui.status === 0 && folder) return { folder };
  return {
    reason: ui.stderr.trim().replace(/^jaeger\.sh: /, '') || `jaeger.sh ui exited ${ui.status}`,
  };
}

/** One Jaeger started by `scripts/jaeger.sh start`. */
export class JaegerScript {
  private constructor(
    readonly env: NodeJS.ProcessEnv,
    /** What `start` printed. */
    readonly output: string,
  ) {}

  /** Starts Jaeger through the script; `env` adds to the environment (e.g. STEPMARK_JAEGER_UI). */
  static async start(env: Record<string, string> = {}): Promise<JaegerScript> {
    const full: NodeJS.ProcessEnv = {
      ...process.env,
      ...env,
      STEPMARK_JAEGER_RUN: mkdtempSync(join(tmpdir(), 'stepmark-jaeger-ui-')),
      JAEGER_LISTEN_HOST: '127.0.0.1',
      STEPMARK_JAEGER_OTLP_HTTP_PORT: String(await freePort()),
      STEPMARK_JAEGER_OTLP_GRPC_PORT: String(await freePort()),
      STEPMARK_JAEGER_QUERY_PORT: String(await freePort()),
      STEPMARK_JAEGER_QUERY_GRPC_PORT: String(await freePort()),
      STEPMARK_JAEGER_HEALTH_PORT: String(await freePort()),
    };
    try {
      const { stdout } = await run('bash', [script, 'start'], { env: full, timeout: 120_000 });
      return new JaegerScript(full, stdout);
    } catch (error) {
      rmSync(full.STEPMARK_JAEGER_RUN!, { recursive: true, force: true });
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`jaeger.sh start failed: ${stdout}${stderr}`, { cause: error });
    }
  }

  get queryUrl(): string {
    return `http://127.0.0.1:${this.env.STEPMARK_JAEGER_QUERY_PORT}`;
  }

  get otlpTracesUrl(): string {
    return `http://127.0.0.1:${this.env.STEPMARK_JAEGER_OTLP_HTTP_PORT}/v1/traces`;
  }

  /** The UI folder served, as `start` reported it, or 'placeholder'. */
  get ui(): string {
    return /\bui=(\S+)/.exec(this.output)?.[1] ?? 'unknown';
  }

  /** Stops this Jaeger (`jaeger.sh stop` with the same run dir) and removes the run dir. */
  async stop(): Promise<void> {
    try {
      await run('bash', [script, 'stop'], { env: this.env, timeout: 30_000 });
    } finally {
      rmSync(this.env.STEPMARK_JAEGER_RUN!, { recursive: true, force: true });
    }
  }
}
