import { CLIENT_SCRIPT, CONTENT_SECURITY_POLICY } from './contentSecurityPolicy.js';
import { escapeHtml, jsonForScript } from './escape.js';
import type { PageData } from './PageData.js';
import { preparePage } from './preparePage.js';
import { STYLESHEET } from './stylesheet.js';
import { checkViewerOptions, type ViewerOptions } from './ViewerOptions.js';

/** The page around its data; `title` is escaped text, `data` JSON safe in a script block. */
function page(title: string, data: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLESHEET}</style>
</head>
<body>
<header class="top">
<h1 id="title">${title}</h1>
<input id="search" type="search" placeholder="Search entity ids, stages, actions, meta, races, state  ( / )" aria-label="Search entity ids, stages, actions, meta, races and state accesses" autocomplete="off" spellcheck="false">
<span id="count" role="status" aria-live="polite"></span>
</header>
<ul id="page-notes" class="notes" aria-label="What this page left out" hidden></ul>
<div class="layout">
<nav id="trace-list" aria-label="Traces" hidden><div id="traces" role="listbox" aria-label="Traces"></div></nav>
<main id="trace"></main>
</div>
<noscript><p>This page needs JavaScript to show its traces (it loads nothing from the network).</p></noscript>
<script type="application/json" id="stepmark-data">${data}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * One self-contained HTML page showing `traces` (one trace, or a list of them, e.g.
 * `processor.recent()`): its races and, per entity, the timeline of its decisions with their
 * meta, failing outcomes first; its state accesses per variable; its critical path; the span tree
 * as a Gantt chart; where the time went (a Sankey picture); a search over entity ids, stages,
 * actions, meta, races and state accesses; a list of traces when there are several, and links
 * to Jaeger with `jaegerUrl`. Its script and styles are inline and its data is embedded as JSON:
 * it loads nothing at view time, and its Content-Security-Policy forbids the network.
 * Options are checked here: a wrong one throws a `TypeError` naming it. The traces are not:
 * whatever they are, `renderHtml` returns a page, which skips what is not a trace, leaves out
 * malformed parts, cuts what is over its caps (1,000 traces, 100,000 decisions, 20,000 spans,
 * `PAGE_LIMITS`) and says on the page how many of each.
 * @example writeFileSync('traces.html', renderHtml(processor.recent(), { jaegerUrl: 'http://localhost:16686' }))
 */
export function renderHtml(traces: unknown, options: ViewerOptions = {}): string {
  const checked = checkViewerOptions(options, 'renderHtml');
  const title = escapeHtml(checked.title);
  let data: PageData;
  try {
    data = preparePage(traces, checked);
  } catch {
    // preparePage guards every read: this is a bug of ours, and the page still says something.
    data = {
      title: checked.title,
      notes: ['The traces could not be read: this is a bug of stepmark-otel, please report it'],
      traces: [],
    };
  }
  return page(title, jsonForScript(data));
}
