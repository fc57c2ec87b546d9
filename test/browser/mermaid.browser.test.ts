// Mermaid itself (the mermaid 12.3.0 devDependency's browser build, in headless Chromium, no
// network) parses and renders what toMermaid and toGantt write: for the README's trace, the
// checkout demo's requests, hostile names, a cycle with a missing parent and an empty trace,
// `mermaid.parse` accepts the text and `mermaid.render` draws one node (or task) per span whose
// text is the span's name as written, with its duration, tags and error/open styling.
// Run with `npm run test:browser` (vitest.browser.config.ts); `npm test` skips this file.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGantt } from '../../src/export/formats/toGantt.js';
import { toMermaid, type MermaidDirection } from '../../src/export/formats/toMermaid.js';
import type { Trace, TraceSpan } from '../../src/index.js';
import {
  bigTrace,
  cycleTrace,
  demoAccepted,
  demoRejected,
  fourSpans,
  HOSTILE_NAMES,
  hostileTrace,
  T0,
} from '../export/formatTraces.js';
import { browserSuiteSkip, CHROMIUM } from './browserSuite.js';

const MERMAID = fileURLToPath(
  new URL('../../node_modules/mermaid/dist/mermaid.min.js', import.meta.url),
);

const reason = browserSuiteSkip('Mermaid', () =>
  existsSync(MERMAID) ? [] : [`no ${MERMAID} (npm ci installs the mermaid devDependency)`],
);

/** What the page reports of one diagram Mermaid parsed and rendered. */
interface Drawn {
  /** `mermaid.parse`'s diagram type. */
  type: string;
  /** Flowchart nodes: their text and classes. */
  nodes: Array<{ text: string; classes: string }>;
  edges: number;
  /** Gantt tasks: their text and the classes of their bar. */
  tasks: Array<{ text: string; classes: string }>;
  sections: string[];
  title: string | null;
  /** Elements a name could have smuggled in: scripts, images, event handlers, links. */
  injected: number;
  /** Gantt tasks made clickable (by a `click` statement). */
  clickable: number;
}

// Runs in the page (plain JavaScript: the project's TypeScript has no DOM types). `draw` parses,
// renders and reads the SVG back as the DOM holds it; `parseError` returns Mermaid's message.
const PAGE_HELPERS = String.raw`
let drawings = 0;
window.stepmarkTest = {
  async draw(text, config) {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', ...config });
    const parsed = await mermaid.parse(text);
    const { svg } = await mermaid.render('diagram' + drawings++, text);
    const div = document.createElement('div');
    div.innerHTML = svg;
    document.body.append(div);
    for (const style of div.querySelectorAll('style')) style.remove();
    const all = (selector) => [...div.querySelectorAll(selector)];
    const taskTexts = all('text').filter((t) => /\btaskText/.test(t.getAttribute('class') ?? ''));
    const drawn = {
      type: parsed.diagramType,
      nodes: all('g.node').map((g) => ({ text: g.textContent, classes: g.getAttribute('class') })),
      edges: all('path.flowchart-link').length,
      tasks: all('rect.task').map((rect, i) => ({
        text: taskTexts[i]?.textContent ?? '',
        classes: rect.getAttribute('class'),
      })),
      sections: all('text.sectionTitle').map((t) => t.textContent),
      title: div.querySelector('.titleText')?.textContent ?? null,
      injected: all('script, img, a, [onerror], [onload], [onclick]').length,
      clickable: all('.clickable').length,
    };
    div.remove();
    return drawn;
  },
  async parseError(text, config) {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', ...config });
    try {
      await mermaid.parse(text);
      return null;
    } catch (error) {
      return String(error?.message ?? error);
    }
  },
};
`;

interface PageHelpers {
  stepmarkTest: {
    draw(text: string, config: object): Promise<Drawn>;
    parseError(text: string, config: object): Promise<string | null>;
  };
}

/** Text compared without whitespace (a line break in a label is an element, not a character). */
function squash(text: string): string {
  return text.replace(/[\s\u2060]+/g, '');
}

function shown(name: string): string {
  return name.trim() === '' ? '(unnamed)' : name;
}

function durationLabel(s: TraceSpan): string {
  return `${s.duration_ms} ms${s.open === true ? ', open' : ''}${s.status === 'error' ? ', error' : ''}`;
}

function tagLines(s: TraceSpan): string[] {
  return Object.entries(s.tags ?? {}).map(([key, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${key}: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
  });
}

/** Each span's node text as the user reads it: name, duration and marks, then its tags. */
function expectedNodes(trace: Trace): string[] {
  const spans = trace.spans ?? [];
  return spans
    .map((s) => squash([shown(s.name), durationLabel(s), ...tagLines(s)].join('')))
    .sort();
}

/** Each span's gantt task text: name and, in brackets, duration and marks. */
function expectedTasks(trace: Trace): string[] {
  return (trace.spans ?? []).map((s) => squash(`${shown(s.name)} (${durationLabel(s)})`)).sort();
}

const CASES: Array<{ name: string; trace: Trace; edges: number; roots: string[] }> = [
  { name: "the README's 4 spans", trace: fourSpans, edges: 3, roots: ['POST /checkout'] },
  {
    name: 'the demo, order_42 accepted (payment open)',
    trace: demoAccepted,
    edges: 5,
    roots: ['POST /checkout order_42'],
  },
  {
    name: 'the demo, order_43 rejected (errors)',
    trace: demoRejected,
    edges: 2,
    roots: ['POST /checkout order_43'],
  },
  {
    name: 'hostile names and tags',
    trace: hostileTrace(),
    edges: 2 * HOSTILE_NAMES.length,
    roots: ['root "of" all'],
  },
  {
    name: 'a cycle, a self-parent and a missing parent',
    trace: cycleTrace,
    edges: 3,
    roots: ['cycle c', 'own parent', 'orphan'],
  },
  { name: 'no spans', trace: { trace_id: 'empty' }, edges: 0, roots: [] },
];

describe.skipIf(reason !== undefined)('Mermaid 12 reads toMermaid and toGantt', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    page = await browser.newPage();
    // Nothing leaves the machine: the page is about:blank and Mermaid is injected from disk.
    await page.route('**/*', (route) => route.abort());
    await page.goto('about:blank');
    await page.addScriptTag({ path: MERMAID });
    await page.addScriptTag({ content: PAGE_HELPERS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  function draw(text: string, config: object = {}): Promise<Drawn> {
    return page.evaluate(
      ([t, c]) => (globalThis as unknown as PageHelpers).stepmarkTest.draw(t, c),
      [text, config] as const,
    );
  }

  function parseError(text: string, config: object = {}): Promise<string | null> {
    return page.evaluate(
      ([t, c]) => (globalThis as unknown as PageHelpers).stepmarkTest.parseError(t, c),
      [text, config] as const,
    );
  }

  it('rejects what the escaping prevents (so its yes means something)', async () => {
    // A quote inside a label, and gantt task names that start with a statement or a date.
    expect(await parseError('flowchart TD\n  n0["a"b"c"]\n')).toMatch(/Parse error/);
    expect(await parseError(`gantt\n  dateFormat x\n  click x :n0, ${T0}, 1ms\n`)).toMatch(
      /Parse error/,
    );
    expect(await parseError(`gantt\n  dateFormat x\n  2024-01-01 x :n0, ${T0}, 1ms\n`)).toMatch(
      /Parse error/,
    );
    expect(await parseError(toMermaid(hostileTrace()))).toBeNull();
    expect(await parseError(toGantt(hostileTrace()))).toBeNull();
  });

  for (const { name, trace, edges, roots } of CASES) {
    describe(name, () => {
      for (const direction of ['TD', 'LR'] as MermaidDirection[]) {
        it(`toMermaid ${direction}, all tags: one node per span, its name as written`, async () => {
          const drawn = await draw(toMermaid(trace, { direction, tags: 'all' }));
          expect(drawn.type).toBe('flowchart-v2');
          expect(drawn.nodes.map((node) => squash(node.text)).sort()).toEqual(expectedNodes(trace));
          expect(drawn.edges).toBe(edges);
          const spans = trace.spans ?? [];
          const marked = (cls: string): number =>
            drawn.nodes.filter((node) => node.classes.split(' ').includes(cls)).length;
          expect(marked('error')).toBe(spans.filter((s) => s.status === 'error').length);
          expect(marked('open')).toBe(spans.filter((s) => s.open === true).length);
          expect(drawn.injected).toBe(0);
        });
      }

      it('toGantt: one task per span, its name as written, errors crit, open active', async () => {
        const drawn = await draw(toGantt(trace));
        expect(drawn.type).toBe('gantt');
        expect(drawn.tasks.map((task) => squash(task.text)).sort()).toEqual(expectedTasks(trace));
        expect(drawn.sections.map(squash)).toEqual(roots.map(squash));
        expect(squash(drawn.title ?? '')).toBe(squash(`trace ${trace.trace_id}`));
        const spans = trace.spans ?? [];
        const bars = (pattern: RegExp): number =>
          drawn.tasks.filter((task) => pattern.test(task.classes)).length;
        expect(bars(/crit/i)).toBe(spans.filter((s) => s.status === 'error').length);
        expect(bars(/active/i)).toBe(spans.filter((s) => s.open === true).length);
        expect(drawn.clickable).toBe(0);
        expect(drawn.injected).toBe(0);
      });
    });
  }

  describe('1,000 spans', () => {
    const trace = bigTrace();

    it("toMermaid parses once Mermaid's 500-edge default is raised, as documented", async () => {
      const text = toMermaid(trace, { tags: 'all' });
      expect(await parseError(text)).toMatch(/Edge limit exceeded/);
      expect(await parseError(text, { maxEdges: 1000 })).toBeNull();
    });

    it('toGantt parses and draws a task per span', async () => {
      const drawn = await draw(toGantt(trace), { maxTextSize: 1_000_000 });
      expect(drawn.tasks.map((task) => squash(task.text)).sort()).toEqual(expectedTasks(trace));
    }, 60_000);
  });
});
