// `npm run bench`: runs each benchmark in its own process (a clean heap and JIT for each).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = false;
console.log(
  `stepmark-otel benchmarks, node ${process.version}; ratios against baselines measured in the same run`,
);
for (const file of files) {
  console.log(`\n## ${file}`);
  // A benchmark may ask for V8 flags in a `// node-flags: ...` line of its own.
  const flags =
    /^\/\/ node-flags: (.+)$/m.exec(readFileSync(`${dir}${file}`, 'utf8'))?.[1]?.split(' ') ?? [];
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', ...flags, '--import', 'tsx', `${dir}${file}`],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) failed = true;
}
if (failed) {
  console.log('\nsome targets were missed (MISS above)');
  process.exitCode = 1;
}
