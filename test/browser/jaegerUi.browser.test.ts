// The real Jaeger UI, in headless Chromium: the checkout demo's order_43 is rejected by its fraud
// check (recorded with errorActions), found by searching its entity id, and seen as the log
// `fraud_check: blocked`, with its meta, on a span that carries Jaeger's error mark.
// Run with `npm run test:browser` (vitest.browser.config.ts); `npm test` skips this file.
// Screenshots: artifacts/jaeger-ui/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORDERS, type DemoOrder } from '../../examples/checkout/orders.js';
import * as stepmark from '../../src/index.js';
import { JaegerClient } from '../../src/jaeger/index.js';
import { eventually, findJaeger } from '../support/jaeger.js';
import { startService, type JaegerService } from '../support/jaegerService.js';
import { findJaegerUi, JaegerScript } from './JaegerScript.js';
import { browserSuiteSkip, CHROMIUM } from './browserSuite.js';

/** Where the screenshots go (git-ignored; CI prints the path). */
const SCREENSHOTS = fileURLToPath(new URL('../../artifacts/jaeger-ui/', import.meta.url));
const SERVICE = 'checkout-demo';

const reason = browserSuiteSkip('Jaeger UI', () => {
  const reasons: string[] = [];
  const jaeger = findJaeger();
  if ('reason' in jaeger) reasons.push(jaeger.reason);
  const ui = findJaegerUi();
  if ('reason' in ui) reasons.push(`${ui.reason} (see docs/jaeger-ui.md)`);
  return reasons;
});

/** The demo's orders 42 (accepted) and 43 (rejected by the fraud check). */
const [ORDER_42, ORDER_43] = DEMO_ORDERS.filter((order) => order.traced) as [DemoOrder, DemoOrder];

/** The row of the span named `operation` in the trace timeline (its name cell, a switch). */
function spanRow(page: Page, operation: string): Locator {
  return page.locator('a.span-name[role="switch"]').filter({
    has: page.locator('small.endpoint-name').getByText(operation, { exact: true }),
  });
}

/** The detail panel of the span named `operation`, once it is expanded. */
function spanDetail(page: Page, operation: string): Locator {
  return page.locator('.detail-info-wrapper').filter({
    has: page.getByRole('heading', { level: 2, name: operation, exact: true }),
  });
}

/** The value cell's text of the key-value row `key` inside `scope`, once the row is shown. */
async function valueOf(scope: Locator, key: string): Promise<string> {
  const row = scope
    .getByRole('row')
    .filter({ has: scope.page().getByRole('cell', { name: key, exact: true }) });
  const value = row.locator('.json-markup').first();
  await value.waitFor();
  return (await value.innerText()).replace(/\s+/g, ' ').trim();
}

describe.skipIf(reason !== undefined)('Jaeger UI', () => {
  let jaeger: JaegerScript;
  let service: JaegerService;
  let browser: Browser;
  let page: Page;
  const traceIds: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    jaeger = await JaegerScript.start();
    if (jaeger.ui === 'placeholder')
      throw new Error(`jaeger.sh serves only the placeholder page:\n${jaeger.output}`);
    service = startService(SERVICE, jaeger.otlpTracesUrl);
    // Imported once the tracer provider is installed: the demo takes its tracer at load time.
    const { checkout } = await import('../../examples/checkout/checkout.js');
    for (const order of [ORDER_42, ORDER_43]) {
      // As the demo's handler, with the decisions that end an order marked as errors.
      traceIds[order.id] = await service.tracer.startActiveSpan(
        `POST /checkout ${order.id}`,
        async (span) => {
          try {
            const ctx = stepmark.enable({
              traceMeta: { order_id: order.id },
              errorActions: ['blocked', 'rejected'],
            });
            await context.with(ctx, () => checkout(order));
            return span.spanContext().traceId;
          } finally {
            span.end();
          }
        },
      );
    }
    await service.flush();
    // The UI's search cannot wait for ingestion; the API can: the request, validate, fraud_check.
    const client = new JaegerClient(jaeger.queryUrl);
    await eventually(async () => {
      const data = await client.getTrace(traceIds.order_43!);
      const spans = (data.resourceSpans ?? [])
        .flatMap((r) => r.scopeSpans ?? [])
        .flatMap((s) => s.spans ?? []);
      return spans.length >= 3 ? true : undefined;
    }, 'order_43 in Jaeger');
    // Loaded here, not at the top: `npm test` skips this file and need not load a browser driver.
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await service?.shutdown();
    await jaeger?.stop();
  }, 60_000);

  it('finds order_43 by its entity id with the search form', async () => {
    await page.goto(`${jaeger.queryUrl}/search`);
    // The service select (antd, searchable): type the name, take the option it offers.
    const services = page.locator('[name="service"]');
    await services.click();
    await page.keyboard.type(SERVICE);
    await page.getByRole('option', { name: SERVICE, exact: true }).waitFor({ state: 'attached' });
    await page.keyboard.press('Enter');
    await services.getByText(SERVICE, { exact: true }).waitFor();
    await page
      .getByPlaceholder('http.status_code=200 error=true')
      .fill('stepmark.entity.id=order_43');
    await page.locator('[data-test="submit-btn"]').click();

    const result = page.locator('.ResultItem').filter({ hasText: 'POST /checkout order_43' });
    await result.waitFor();
    expect(await page.locator('.ResultItem').count()).toBe(1); // order_42 is not listed
    expect(await result.locator('.ResultItemTitle--title').innerText()).toContain(
      `${SERVICE}: POST /checkout order_43`,
    );
    await page.screenshot({ path: join(SCREENSHOTS, '01-search-results.png') });

    await result.locator('.ResultItemTitle a').click();
    await page.waitForURL(`**/trace/${traceIds.order_43}**`);
    await spanRow(page, 'fraud_check').waitFor();
  }, 60_000);

  it('marks the span of the rejecting decision with the error mark', async () => {
    await page.goto(`${jaeger.queryUrl}/trace/${traceIds.order_43}`);
    const fraudCheck = spanRow(page, 'fraud_check');
    await fraudCheck.locator('.SpanBarRow--errorIcon').waitFor();
    // Only the span the decision was recorded on: not the request, not the validation.
    expect(
      await spanRow(page, 'POST /checkout order_43').locator('.SpanBarRow--errorIcon').count(),
    ).toBe(0);
    expect(await spanRow(page, 'validate').locator('.SpanBarRow--errorIcon').count()).toBe(0);

    await fraudCheck.click();
    const detail = spanDetail(page, 'fraud_check');
    await detail
      .getByRole('switch')
      .filter({ has: page.locator('[data-test="label"]').getByText('Tags:', { exact: true }) })
      .click();
    expect(await valueOf(detail, 'error')).toBe('true');
    expect(await valueOf(detail, 'otel.status_code')).toBe('ERROR');
    expect(await valueOf(detail, 'otel.status_description')).toBe('fraud_check: blocked');
    await page.screenshot({ path: join(SCREENSHOTS, '02-trace.png') });
  }, 60_000);

  it('shows the rejecting decision as the log "fraud_check: blocked" with its meta', async () => {
    await page.goto(`${jaeger.queryUrl}/trace/${traceIds.order_43}`);
    await spanRow(page, 'fraud_check').click();
    const detail = spanDetail(page, 'fraud_check');
    const logs = detail.locator('.AccordianLogs');
    // Logs are open by default; each log is one line `<time>: key=value ...` until expanded.
    const decision = logs
      .locator('.AccordianKeyValues--header')
      .filter({ hasText: 'event=fraud_check: blocked' });
    await decision.waitFor();
    expect(await decision.innerText()).toMatch(/stepmark\.meta\.score\s*=\s*0\.91/);

    await decision.click();
    expect(await valueOf(logs, 'event')).toBe('fraud_check: blocked');
    expect(await valueOf(logs, 'stepmark.entity.id')).toBe('order_43');
    expect(await valueOf(logs, 'stepmark.stage')).toBe('fraud_check');
    expect(await valueOf(logs, 'stepmark.action')).toBe('blocked');
    expect(await valueOf(logs, 'stepmark.meta.score')).toBe('0.91');
    const rules = await valueOf(logs, 'stepmark.meta.rules');
    expect(rules).toContain('high-risk-country');
    expect(rules).toContain('new-card');
    await logs.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, '03-decision.png') });
  }, 60_000);
});

describe.skipIf(reason !== undefined)('jaeger.sh without a UI', () => {
  it('serves the placeholder page and says so', async () => {
    const jaeger = await JaegerScript.start({ STEPMARK_JAEGER_UI: 'none' });
    try {
      expect(jaeger.ui).toBe('placeholder');
      expect(jaeger.output).toMatch(
        /Jaeger UI: NOT available .*serves only Jaeger's placeholder page/,
      );
      const home = await (await fetch(`${jaeger.queryUrl}/`)).text();
      expect(home).toContain('placeholder for the Jaeger UI');
    } finally {
      await jaeger.stop();
    }
  }, 60_000);
});
