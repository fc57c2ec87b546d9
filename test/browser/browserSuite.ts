// What every browser suite checks before it runs: `npm run test:browser` (which sets
// STEPMARK_BROWSER_TESTS) and a Chromium to drive; STEPMARK_REQUIRE_BROWSER=1 (CI) turns a
// reason to skip into a failure.
import { existsSync } from 'node:fs';

/** The Chromium the suites drive with playwright-core: Debian's, or STEPMARK_CHROMIUM. */
export const CHROMIUM = process.env.STEPMARK_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why the suite `name` cannot run here (undefined when it can): not run by `npm run
 * test:browser`, no Chromium, or one of `more()` (what else the suite needs). Logs the reason,
 * or throws it under STEPMARK_REQUIRE_BROWSER=1.
 * @example describe.skipIf(browserSuiteSkip('viewer') !== undefined)('viewer', () => { ... })
 */
export function browserSuiteSkip(
  name: string,
  more: () => string[] = () => [],
): string | undefined {
  if (process.env.STEPMARK_BROWSER_TESTS !== '1') {
    const reason = 'browser tests run with `npm run test:browser` (vitest.browser.config.ts)';
    console.log(`skipping the ${name} browser tests: ${reason}`);
    return reason;
  }
  const reasons: string[] = [];
  if (!existsSync(CHROMIUM))
    reasons.push(
      `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set STEPMARK_CHROMIUM)`,
    );
  reasons.push(...more());
  if (reasons.length === 0) return undefined;
  const reason = reasons.join('; ');
  if (process.env.STEPMARK_REQUIRE_BROWSER === '1')
    throw new Error(`STEPMARK_REQUIRE_BROWSER=1 but ${reason}`);
  console.log(`skipping the ${name} browser tests: ${reason}`);
  return reason;
}
