import type { ClientDocument, ClientElement, ClientInput, ClientWindow } from './ClientDom.js';
import type {
  AccessView,
  CriticalPathView,
  EntityView,
  EventView,
  MetaRow,
  PageData,
  RaceView,
  SankeyPicture,
  TraceView,
  VariableView,
} from './PageData.js';

/**
 * The viewer page's script. It runs in the browser: `renderHtml` inlines its source as
 * `(${viewerClient})(document, window)`, so it must use nothing from outside its own body (no
 * imports at run time, no helpers of this module; type imports are erased). It reads the page's
 * data from `#stepmark-data` and builds everything with createElement and textContent: no data
 * ever goes through innerHTML. Long lists (decisions, races, state accesses, the critical path,
 * spans, traces) are virtual: only the rows in view exist, so 10,000 decisions render as fast as 40.
 * Marks `stepmark-viewer-rendered` (performance) and `data-rendered` on `<html>` after the first
 * render, and measures `stepmark-viewer-search` for each search.
 */
export function viewerClient(doc: ClientDocument, win: ClientWindow): void {
  const SVG = 'http://www.w3.org/2000/svg';
  /** Height of a row of the decision and span lists, px (the CSS has the same). */
  const ROW = 24;
  /** Height of a row of the trace list, px. */
  const TRACE_ROW = 62;
  /** Rows rendered above and below the visible ones. */
  const OVERSCAN = 8;
  /** Search runs this long after the last keystroke, ms. */
  const DEBOUNCE = 150;
  /** Failing entities, and races, named in a trace's banner at most. */
  const BANNER = 5;

  function el(tag: string, className?: string, text?: string): ClientElement {
    const element = doc.createElement(tag);
    if (className !== undefined) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function byId(id: string): ClientElement {
    const element = doc.getElementById(id);
    if (element === null) throw new Error(`stepmark-otel viewer: the page has no #${id}`);
    return element;
  }

  function formatMs(ms: number): string {
    if (!Number.isFinite(ms)) return '?';
    if (ms < 1) return `${ms.toFixed(3)} ms`;
    if (ms < 1000) return `${Number(ms.toFixed(1))} ms`;
    return `${Number((ms / 1000).toFixed(2))} s`;
  }

  function plural(n: number, one: string, many: string): string {
    return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  }

  function metaLine(rows: MetaRow[]): string {
    return rows.map(([key, value]) => `${key}=${value}`).join('  ');
  }

  function metaBlock(rows: MetaRow[]): string {
    return rows.map(([key, value]) => `${key}: ${value}`).join('\n');
  }

  /** A list of which only the rows in view exist, each `height` px, absolutely placed. */
  function virtualList(
    host: ClientElement,
    height: number,
    size: () => number,
    render: (index: number) => ClientElement,
  ): { draw: () => void; reset: () => void } {
    const viewport = el('div', 'vport');
    const spacer = el('div', 'spacer');
    viewport.appendChild(spacer);
    host.appendChild(viewport);
    let frame = 0;
    const draw = (): void => {
      frame = 0;
      const n = size();
      spacer.style.height = `${n * height}px`;
      const top = viewport.scrollTop;
      const visible = viewport.clientHeight || 800;
      const first = Math.max(0, Math.floor(top / height) - OVERSCAN);
      const last = Math.min(n, Math.ceil((top + visible) / height) + OVERSCAN);
      const rows: ClientElement[] = [];
      for (let i = first; i < last; i++) {
        const row = render(i);
        row.style.top = `${i * height}px`;
        row.style.height = `${height}px`;
        rows.push(row);
      }
      spacer.replaceChildren(...rows);
    };
    viewport.addEventListener('scroll', () => {
      if (frame === 0) frame = win.requestAnimationFrame(draw);
    });
    return {
      draw,
      reset: () => {
        viewport.scrollTop = 0;
        draw();
      },
    };
  }

  /** What an entity list shows: entity header rows, each followed by its (matching) decisions. */
  interface Row {
    entity: EntityView;
    event?: EventView;
  }
  /** What the race list shows: each race, followed by its accesses. */
  interface RaceRow {
    race: RaceView;
    access?: AccessView;
  }
  /** What the state list shows: each variable, followed by its (matching) accesses. */
  interface StateRow {
    variable: VariableView;
    access?: AccessView;
  }
  interface Match {
    rows: Row[];
    entities: number;
    decisions: number;
    raceRows: RaceRow[];
    races: number;
    stateRows: StateRow[];
    variables: number;
    accesses: number;
  }

  const data = JSON.parse(byId('stepmark-data').textContent ?? '{}') as PageData;
  const traces: TraceView[] = Array.isArray(data.traces) ? data.traces : [];
  const failingOf = traces.map((t) => t.entities.filter((e) => e.failing === true));
  const racesOf = traces.map((t) => (Array.isArray(t.races) ? t.races : []));
  const stateOf = traces.map((t) => (Array.isArray(t.state) ? t.state : []));

  // Search: lower-cased text of each entity, decision, race and state access, built on first use.
  const hays = new WeakMap<object, string>();
  function hayOf(item: EntityView | EventView): string {
    let hay = hays.get(item);
    if (hay === undefined) {
      const meta = item.meta.map(([key, value]) => `${key}=${value}`).join('\n');
      hay = (
        'events' in item
          ? `${item.id}\n${item.kind ?? ''}\n${meta}`
          : `${item.stage}\n${item.action}\n${meta}`
      ).toLowerCase();
      hays.set(item, hay);
    }
    return hay;
  }
  function accessHay(access: AccessView): string {
    let hay = hays.get(access);
    if (hay === undefined) {
      hay = [
        access.access,
        access.value,
        access.old,
        access.task,
        access.trace,
        access.location,
        access.service,
        access.locks,
      ]
        .filter((part) => part !== undefined)
        .join('\n')
        .toLowerCase();
      hays.set(access, hay);
    }
    return hay;
  }
  function raceHay(race: RaceView): string {
    let hay = hays.get(race);
    if (hay === undefined) {
      hay = [
        `race ${race.kind}\n${race.label}\n${race.variable}`.toLowerCase(),
        ...race.accesses.map(accessHay),
      ].join('\n');
      hays.set(race, hay);
    }
    return hay;
  }

  let query = '';
  let matches: Array<Match | undefined> = [];
  function matchOf(index: number): Match {
    const known = matches[index];
    if (known !== undefined) return known;
    const match: Match = {
      rows: [],
      entities: 0,
      decisions: 0,
      raceRows: [],
      races: 0,
      stateRows: [],
      variables: 0,
      accesses: 0,
    };
    for (const entity of (traces[index] as TraceView).entities) {
      const whole = query === '' || hayOf(entity).includes(query);
      const events = whole ? entity.events : entity.events.filter((e) => hayOf(e).includes(query));
      if (!whole && events.length === 0) continue;
      match.entities++;
      match.decisions += events.length;
      match.rows.push({ entity });
      for (const event of events) match.rows.push({ entity, event });
    }
    for (const race of racesOf[index] as RaceView[]) {
      if (query !== '' && !raceHay(race).includes(query)) continue;
      match.races++;
      match.raceRows.push({ race });
      for (const access of race.accesses) match.raceRows.push({ race, access });
    }
    for (const variable of stateOf[index] as VariableView[]) {
      const whole = query === '' || variable.variable.toLowerCase().includes(query);
      const accesses = whole
        ? variable.accesses
        : variable.accesses.filter((a) => accessHay(a).includes(query));
      if (!whole && accesses.length === 0) continue;
      match.variables++;
      match.accesses += accesses.length;
      match.stateRows.push({ variable });
      for (const access of accesses) match.stateRows.push({ variable, access });
    }
    matches[index] = match;
    return match;
  }

  /** Whether a search leaves anything of the trace to show. */
  function matchesAny(index: number): boolean {
    const match = matchOf(index);
    return match.entities > 0 || match.races > 0 || match.variables > 0;
  }

  /** `race: lost update on accounts.alice.balance`. */
  function raceTitle(race: RaceView): string {
    return `race: ${race.label} on ${race.variable}`;
  }

  /** The tasks of a race's sides, each once, in order. */
  function raceTasks(race: RaceView): string {
    const tasks: string[] = [];
    for (const access of race.accesses) if (!tasks.includes(access.task)) tasks.push(access.task);
    return tasks.join(', ');
  }

  /** A value as an access shows it: `old → new` for a write that knows both. */
  function accessValue(access: AccessView): string {
    if (access.old !== undefined && access.value !== undefined)
      return `${access.old} → ${access.value}`;
    if (access.value !== undefined) return access.value;
    if (access.old !== undefined)
      return `${access.old} → (${access.access === 'delete' ? 'deleted' : 'none'})`;
    return '';
  }

  let selected = 0;
  let shownTraces: number[] = traces.map((_, i) => i);

  const notes = byId('page-notes');
  for (const note of Array.isArray(data.notes) ? data.notes : []) {
    notes.appendChild(el('li', undefined, note));
  }
  notes.hidden = notes.textContent === '';

  // The trace list, when there is more than one trace.
  const nav = byId('trace-list');
  nav.hidden = traces.length <= 1;
  const traceList = virtualList(
    byId('traces'),
    TRACE_ROW,
    () => shownTraces.length,
    (i) => traceRow(shownTraces[i] as number),
  );

  function traceRow(index: number): ClientElement {
    const t = traces[index] as TraceView;
    const failing = failingOf[index] as EntityView[];
    const races = racesOf[index] as RaceView[];
    const row = el(
      'div',
      `trow${index === selected ? ' sel' : ''}${failing.length + races.length > 0 ? ' fail' : ''}`,
    );
    row.setAttribute('role', 'option');
    row.setAttribute('aria-selected', String(index === selected));
    row.tabIndex = 0;
    row.appendChild(el('div', 'tlabel', t.label === '' ? `trace ${t.id}` : t.label));
    const facts = [
      t.id.slice(0, 12),
      plural(t.entities.length, 'entity', 'entities'),
      plural(t.decisions, 'decision', 'decisions'),
    ];
    if (t.duration !== undefined) facts.push(formatMs(t.duration));
    if (races.length > 0) facts.push(plural(races.length, 'race', 'races'));
    if (query !== '') {
      const match = matchOf(index);
      facts.unshift(plural(match.decisions + match.races + match.accesses, 'match', 'matches'));
    }
    row.appendChild(el('div', 'tstats', facts.join(' · ')));
    const firstRace = races[0];
    const first = failing[0];
    if (firstRace !== undefined) {
      const others = races.length + failing.length - 1;
      const more = others > 0 ? ` (+${others})` : '';
      row.appendChild(el('div', 'tfail', `✗ ${raceTitle(firstRace)}${more}`));
    } else if (first !== undefined) {
      const more = failing.length > 1 ? ` (+${failing.length - 1})` : '';
      const outcome = first.outcome;
      const text = `✗ ${first.id}: ${outcome === undefined ? '' : `${outcome.stage} ${outcome.action}`}${more}`;
      row.appendChild(el('div', 'tfail', text));
    }
    row.addEventListener('click', () => select(index));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') select(index);
    });
    return row;
  }

  const main = byId('trace');
  /** What a search redraws in the trace shown: its decision, race and state lists. */
  let refreshers: Array<() => void> = [];
  /** The virtual lists of the trace shown, redrawn when the window is resized. */
  let traceLists: Array<() => void> = [];

  function select(index: number): void {
    selected = index;
    renderTrace();
    traceList.draw();
  }

  function showDetail(detail: ClientElement, text: string): void {
    detail.textContent = text;
    detail.hidden = false;
  }

  function section(title: string): ClientElement {
    const part = el('section');
    part.appendChild(el('h3', undefined, title));
    main.appendChild(part);
    return part;
  }

  function renderTrace(): void {
    main.replaceChildren();
    traceLists = [];
    refreshers = [];
    const t = traces[selected];
    if (t === undefined) {
      main.appendChild(el('p', 'empty', 'No traces to show.'));
      return;
    }
    const head = el('div', 'thead');
    const title = el('h2');
    title.appendChild(el('span', 'tid', `trace ${t.id}`));
    if (t.label !== '') title.appendChild(el('span', 'tname', t.label));
    head.appendChild(title);
    const jaeger = t.jaeger !== undefined && /^https?:\/\//.test(t.jaeger) ? t.jaeger : undefined;
    if (jaeger !== undefined) {
      const link = el('a', 'jaeger', 'Open in Jaeger ↗');
      link.setAttribute('href', jaeger);
      link.setAttribute('rel', 'noreferrer noopener');
      link.setAttribute('target', '_blank');
      head.appendChild(link);
    }
    main.appendChild(head);
    const facts: string[] = [];
    if (t.start !== undefined) facts.push(t.start);
    if (t.duration !== undefined) facts.push(formatMs(t.duration));
    facts.push(
      plural(t.entities.length, 'entity', 'entities'),
      plural(t.decisions, 'decision', 'decisions'),
      plural(t.spans.length, 'span', 'spans'),
    );
    const races = racesOf[selected] as RaceView[];
    const state = stateOf[selected] as VariableView[];
    if (races.length > 0) facts.push(plural(races.length, 'race', 'races'));
    if (state.length > 0)
      facts.push(
        plural(t.accesses ?? 0, 'state access', 'state accesses'),
        plural(state.length, 'variable', 'variables'),
      );
    main.appendChild(el('p', 'facts', facts.join(' · ')));
    if (t.meta.length > 0) main.appendChild(el('p', 'tmeta', `meta  ${metaLine(t.meta)}`));
    if (t.notes.length > 0) {
      const list = el('ul', 'notes tnotes');
      for (const note of t.notes) list.appendChild(el('li', undefined, note));
      main.appendChild(list);
    }

    // The outcome first: the races, then the entities whose last decision failed, with the
    // failing stage.
    const failing = failingOf[selected] as EntityView[];
    const banner = el('div', 'failing');
    banner.setAttribute('aria-label', 'Failing outcomes');
    if (races.length > 0) {
      banner.appendChild(el('strong', undefined, `${plural(races.length, 'race', 'races')} found`));
      const list = el('ul', 'races');
      for (const race of races.slice(0, BANNER)) {
        const item = el('li');
        item.appendChild(el('span', 'rkind', `race: ${race.label}`));
        item.appendChild(doc.createTextNode(' on '));
        item.appendChild(el('span', 'var', race.variable));
        const tasks = raceTasks(race);
        if (tasks !== '') item.appendChild(el('span', 'kind', ` (tasks ${tasks})`));
        list.appendChild(item);
      }
      banner.appendChild(list);
      if (races.length > BANNER)
        banner.appendChild(
          el('p', undefined, `and ${races.length - BANNER} more, all in the races below`),
        );
    }
    if (failing.length > 0) {
      banner.appendChild(
        el(
          'strong',
          undefined,
          `${plural(failing.length, 'entity', 'entities')} ended in a failing decision`,
        ),
      );
      const list = el('ul');
      for (const entity of failing.slice(0, BANNER)) {
        const item = el('li');
        if (entity.kind !== undefined) item.appendChild(el('span', 'kind', `${entity.kind} `));
        item.appendChild(el('span', 'eid', entity.id));
        const outcome = entity.outcome;
        if (outcome !== undefined) {
          item.appendChild(doc.createTextNode(' ended at '));
          item.appendChild(el('span', 'stage', outcome.stage));
          item.appendChild(doc.createTextNode(': '));
          item.appendChild(el('span', 'action', outcome.action));
        }
        list.appendChild(item);
      }
      banner.appendChild(list);
      if (failing.length > BANNER)
        banner.appendChild(
          el('p', undefined, `and ${failing.length - BANNER} more, first in the list below`),
        );
    }
    if (races.length + failing.length > 0) main.appendChild(banner);

    // Races: each with the accesses of both sides.
    if (races.length > 0) {
      const part = section('Races');
      const raceInfo = el('p', 'hint');
      part.appendChild(raceInfo);
      const host = el('div', 'races-list');
      part.appendChild(host);
      const raceDetail = el('pre', 'detail');
      raceDetail.hidden = true;
      let raceRows: RaceRow[] = [];
      const raceList = virtualList(
        host,
        ROW,
        () => raceRows.length,
        (i) => {
          const row = raceRows[i] as RaceRow;
          return row.access === undefined
            ? raceRow(row.race, raceDetail)
            : accessRow(t, row.race.variable, row.access, raceDetail);
        },
      );
      part.appendChild(raceDetail);
      traceLists.push(raceList.draw);
      const refresh = (): void => {
        const match = matchOf(selected);
        raceRows = match.raceRows;
        raceInfo.textContent =
          query === ''
            ? 'Each race (accesses of one variable by tasks that nothing orders and no common lock guards), then its accesses in order. Click a row for all of it.'
            : match.races === 0
              ? 'No race of this trace matches the search.'
              : `${plural(match.races, 'race', 'races')} of ${races.length} match the search.`;
        raceList.reset();
      };
      refreshers.push(refresh);
      refresh();
    }

    // Decisions per entity, the failing entities first.
    const decisions = section('Decisions');
    const info = el('p', 'hint');
    decisions.appendChild(info);
    const listHost = el('div', 'decisions');
    decisions.appendChild(listHost);
    const detail = el('pre', 'detail');
    detail.hidden = true;
    let rows: Row[] = [];
    const list = virtualList(
      listHost,
      ROW,
      () => rows.length,
      (i) => {
        const row = rows[i] as Row;
        return row.event === undefined
          ? entityRow(row.entity, detail)
          : eventRow(t, row.entity, row.event, detail);
      },
    );
    decisions.appendChild(detail);
    traceLists.push(list.draw);
    const refreshDecisions = (): void => {
      const match = matchOf(selected);
      rows = match.rows;
      info.textContent =
        query === ''
          ? t.entities.length === 0
            ? 'No decisions in this trace.'
            : 'Each entity, then its decisions in recording order. Click a row for its meta.'
          : match.rows.length === 0
            ? 'No entity or decision of this trace matches the search.'
            : `${plural(match.decisions, 'decision', 'decisions')} of ${plural(match.entities, 'entity', 'entities')} match the search.`;
      list.reset();
    };
    refreshers.push(refreshDecisions);
    refreshDecisions();

    // State accesses per variable: the audit trail.
    if (state.length > 0) {
      const part = section('State');
      const stateInfo = el('p', 'hint');
      part.appendChild(stateInfo);
      const host = el('div', 'state');
      part.appendChild(host);
      const stateDetail = el('pre', 'detail');
      stateDetail.hidden = true;
      let stateRows: StateRow[] = [];
      const stateList = virtualList(
        host,
        ROW,
        () => stateRows.length,
        (i) => {
          const row = stateRows[i] as StateRow;
          return row.access === undefined
            ? variableRow(row.variable, stateDetail)
            : accessRow(t, row.variable.variable, row.access, stateDetail);
        },
      );
      part.appendChild(stateDetail);
      traceLists.push(stateList.draw);
      const refresh = (): void => {
        const match = matchOf(selected);
        stateRows = match.stateRows;
        stateInfo.textContent =
          query === ''
            ? 'Each variable, then its reads and writes in order: value, task, source location, and how each follows the previous access (after: ordered; concurrent: not). Click a row for all of it.'
            : match.variables === 0
              ? 'No state access of this trace matches the search.'
              : `${plural(match.accesses, 'state access', 'state accesses')} of ${plural(match.variables, 'variable', 'variables')} match the search.`;
        stateList.reset();
      };
      refreshers.push(refresh);
      refresh();
    }

    // The critical path: the spans that made the trace as long as it was, and what each owns.
    const critical = t.critical;
    if (critical !== undefined && critical.segments.length > 0) {
      const part = section('Critical path');
      const computed = critical.computed === true ? ', computed by the page from the spans' : '';
      part.appendChild(
        el(
          'p',
          'hint',
          `${formatMs(critical.duration)} along ${plural(critical.segments.length, 'span', 'spans')}, in time order, each with the part of the path it owns (self time, nothing counted twice)${computed}. Its spans are marked in the Gantt chart.`,
        ),
      );
      const host = el('div', 'path');
      part.appendChild(host);
      const pathDetail = el('pre', 'detail');
      pathDetail.hidden = true;
      const pathList = virtualList(
        host,
        ROW,
        () => critical.segments.length,
        (i) => segmentRow(t, critical, i, pathDetail),
      );
      part.appendChild(pathDetail);
      pathList.draw();
      traceLists.push(pathList.draw);
    }

    // What the Node.js runtime did during the request: where its time went, what held it up.
    const runtime = t.runtime;
    if (runtime !== undefined) {
      const part = section('Runtime');
      part.appendChild(el('p', 'hint', runtime.summary));
      const list = el('ul', 'runtime');
      for (const event of runtime.events) {
        const item = el('li');
        item.appendChild(el('span', 'time', event.time));
        item.appendChild(doc.createTextNode(` ${event.text}`));
        list.appendChild(item);
      }
      if (runtime.events.length > 0) part.appendChild(list);
      if (runtime.dropped !== undefined)
        part.appendChild(
          el(
            'p',
            'hint',
            `${plural(runtime.dropped, 'runtime event', 'runtime events')} not listed`,
          ),
        );
    }

    // The span tree as a Gantt chart.
    const spans = section('Spans');
    if (t.spans.length === 0) {
      spans.appendChild(el('p', 'hint', 'No spans in this trace.'));
    } else {
      const spanDetail = el('pre', 'detail');
      spanDetail.hidden = true;
      const total = t.duration !== undefined && t.duration > 0 ? t.duration : 0;
      const scale = el('div', 'scale');
      scale.appendChild(el('span', 'sname', 'span'));
      scale.appendChild(el('span', 'track', `0 → ${formatMs(total)}`));
      scale.appendChild(el('span', 'dur', 'duration'));
      spans.appendChild(scale);
      const ganttHost = el('div', 'gantt');
      spans.appendChild(ganttHost);
      const gantt = virtualList(
        ganttHost,
        ROW,
        () => t.spans.length,
        (i) => {
          const span = t.spans[i] as TraceView['spans'][number];
          const onPath = typeof span.critical === 'number';
          const row = el(
            'div',
            `row span${span.error === true ? ' fail' : ''}${onPath ? ' crit' : ''}${span.kind !== undefined ? ` kind-${span.kind}` : ''}`,
          );
          const name = el('span', 'sname', span.error === true ? '✗ ' : '');
          // A task or region of stepmark-otel/runtime says so before its name.
          if (span.kind !== undefined) name.appendChild(el('span', 'skind', `${span.kind} `));
          name.appendChild(doc.createTextNode(span.name));
          name.style.paddingLeft = `${Math.min(span.depth, 24) * 12 + 4}px`;
          row.appendChild(name);
          const track = el('span', 'track');
          if (span.offset >= 0 && total > 0) {
            const bar = el('span', `bar${span.open === true ? ' open' : ''}`);
            bar.style.left = `${Math.min(100, (span.offset / total) * 100)}%`;
            bar.style.width = `${Math.min(100, (span.duration / total) * 100)}%`;
            track.appendChild(bar);
          }
          row.appendChild(track);
          const open = span.open === true ? ' (open)' : '';
          row.appendChild(el('span', 'dur', `${formatMs(span.duration)}${open}`));
          // Jaeger's UI highlights the span given as uiFind in the trace's page.
          if (jaeger !== undefined && /^[0-9a-f]{16}$/i.test(span.id)) {
            const link = el('a', 'jaeger span-link', '↗');
            link.setAttribute('href', `${jaeger}?uiFind=${span.id}`);
            link.setAttribute('rel', 'noreferrer noopener');
            link.setAttribute('target', '_blank');
            link.setAttribute('title', 'Open this span in Jaeger');
            row.appendChild(link);
          }
          const path = onPath
            ? ` · on the critical path, ${formatMs(span.critical ?? 0)} of its own`
            : '';
          row.setAttribute(
            'title',
            `${span.kind !== undefined ? `${span.kind} ` : ''}${span.name}: ${formatMs(span.duration)}${open}${path}`,
          );
          row.addEventListener('click', () => {
            const facts = [
              `${span.kind ?? 'span'} ${span.name}  (${span.id})`,
              `duration ${formatMs(span.duration)}${open}${span.error === true ? ', error' : ''}`,
              `depth ${span.depth}${span.orphan === true ? ', its parent is not in this trace' : ''}`,
              `${plural(span.decisions, 'decision', 'decisions')} recorded on it`,
            ];
            if (span.service !== undefined) facts.push(`service ${span.service}`);
            if (onPath)
              facts.push(`on the critical path: ${formatMs(span.critical ?? 0)} of its own`);
            showDetail(spanDetail, `${facts.join('\n')}\n\n${metaBlock(span.tags)}`);
          });
          return row;
        },
      );
      gantt.draw();
      traceLists.push(gantt.draw);
      spans.appendChild(spanDetail);
    }

    // Where the time went.
    if (t.sankey !== undefined) {
      const picture = section('Where the time went');
      picture.appendChild(
        el(
          'p',
          'hint',
          'Each column is a depth of the span tree; spans of one name under one parent are summed; heights are proportional to durations.',
        ),
      );
      const box = el('div', 'sankey');
      box.appendChild(sankeySvg(t.sankey));
      picture.appendChild(box);
      if (t.sankey.notes.length > 0) {
        const list = el('ul', 'notes tnotes');
        for (const note of t.sankey.notes) list.appendChild(el('li', undefined, note));
        picture.appendChild(list);
      }
    }
  }

  function entityRow(entity: EntityView, detail: ClientElement): ClientElement {
    const failing = entity.failing === true;
    const row = el('div', `row ent${failing ? ' fail' : ''}`);
    if (entity.kind !== undefined) row.appendChild(el('span', 'kind', entity.kind));
    row.appendChild(el('span', 'eid', entity.id));
    const outcome = entity.outcome;
    if (outcome !== undefined) {
      const ended = el('span', `outcome${failing ? ' fail' : ''}`);
      ended.appendChild(el('span', 'arrow', failing ? '✗ ' : '→ '));
      ended.appendChild(el('span', 'stage', outcome.stage));
      ended.appendChild(el('span', 'action', ` ${outcome.action}`));
      row.appendChild(ended);
    }
    row.appendChild(el('span', 'count', plural(entity.events.length, 'decision', 'decisions')));
    row.appendChild(el('span', 'meta', metaLine(entity.meta)));
    row.addEventListener('click', () => {
      const head = `${entity.kind === undefined ? '' : `${entity.kind} `}${entity.id}`;
      const ended =
        outcome === undefined
          ? ''
          : `\nended: ${outcome.stage} ${outcome.action}${failing ? ' (failing)' : ''}`;
      showDetail(detail, `${head}${ended}\n\n${metaBlock(entity.meta)}`);
    });
    return row;
  }

  function eventRow(
    t: TraceView,
    entity: EntityView,
    event: EventView,
    detail: ClientElement,
  ): ClientElement {
    const failing = event.failing === true;
    const row = el('div', `row ev${failing ? ' fail' : ''}`);
    row.appendChild(el('span', 'time', event.time));
    row.appendChild(el('span', 'stage', event.stage));
    row.appendChild(el('span', 'action', event.action));
    row.appendChild(el('span', 'meta', metaLine(event.meta)));
    const span = event.span === undefined ? undefined : t.spans[event.span];
    if (span !== undefined) row.appendChild(el('span', 'on', `on ${span.name}`));
    row.addEventListener('click', () => {
      const where = [
        `time ${event.time}`,
        span === undefined ? '' : `span ${span.name}`,
        event.service === undefined ? '' : `service ${event.service}`,
      ].filter((part) => part !== '');
      showDetail(
        detail,
        `${entity.id} · ${event.stage}: ${event.action}${failing ? ' (failing)' : ''}\n${where.join(' · ')}\n\n${metaBlock(event.meta)}`,
      );
    });
    return row;
  }

  function raceRow(race: RaceView, detail: ClientElement): ClientElement {
    const row = el('div', 'row race fail');
    row.appendChild(el('span', 'rkind', `✗ ${race.label}`));
    row.appendChild(el('span', 'var', race.variable));
    row.appendChild(el('span', 'count', plural(race.accesses.length, 'access', 'accesses')));
    row.appendChild(el('span', 'meta', `tasks ${raceTasks(race)}`));
    row.addEventListener('click', () => {
      const sides = race.accesses.map((access) => accessText(access));
      showDetail(detail, `${raceTitle(race)} (${race.kind})\n\n${sides.join('\n\n')}`);
    });
    return row;
  }

  function variableRow(variable: VariableView, detail: ClientElement): ClientElement {
    const raced = variable.races ?? 0;
    const row = el('div', `row vhead${raced > 0 ? ' fail' : ''}`);
    row.appendChild(el('span', 'vname', variable.variable));
    row.appendChild(el('span', 'count', plural(variable.accesses.length, 'access', 'accesses')));
    if (raced > 0) row.appendChild(el('span', 'rkind', `✗ ${plural(raced, 'race', 'races')}`));
    row.addEventListener('click', () => {
      const writes = variable.accesses.filter((a) => a.access !== 'read').length;
      showDetail(
        detail,
        `${variable.variable}\n${plural(variable.accesses.length, 'access', 'accesses')}, ${plural(writes, 'write', 'writes')}${raced > 0 ? `, ${plural(raced, 'race', 'races')}` : ''}`,
      );
    });
    return row;
  }

  /** Everything known of an access, as lines of text. */
  function accessText(access: AccessView): string {
    const lines = [
      `${access.access}${access.seq >= 0 ? ` #${access.seq}` : ''}${access.time === '' ? '' : ` at ${access.time}`}`,
      `task ${access.task}`,
      `trace ${access.trace === '' ? '(not given)' : access.trace}`,
    ];
    if (access.old !== undefined) lines.push(`old value ${access.old}`);
    if (access.value !== undefined) lines.push(`value ${access.value}`);
    if (access.location !== undefined) lines.push(`location ${access.location}`);
    if (access.locks !== undefined) lines.push(`holding ${access.locks}`);
    if (access.service !== undefined) lines.push(`service ${access.service}`);
    if (access.previous !== undefined)
      lines.push(
        `${access.previous.before ? 'after' : 'concurrent with'} #${access.previous.seq}, the previous access of the variable`,
      );
    if (access.race === true) lines.push('one side of a race');
    return lines.join('\n');
  }

  function accessRow(
    t: TraceView,
    variable: string,
    access: AccessView,
    detail: ClientElement,
  ): ClientElement {
    const raced = access.race === true;
    const row = el('div', `row acc${raced ? ' fail' : ''}`);
    row.appendChild(el('span', 'seq', access.seq >= 0 ? `#${access.seq}` : access.time));
    row.appendChild(el('span', 'access', `${raced ? '✗ ' : ''}${access.access}`));
    row.appendChild(el('span', 'value', accessValue(access)));
    row.appendChild(el('span', 'task', access.task));
    if (access.trace !== '' && access.trace !== t.id)
      row.appendChild(el('span', 'other', `trace ${access.trace.slice(0, 12)}`));
    if (access.previous !== undefined)
      row.appendChild(
        el(
          'span',
          `link${access.previous.before ? '' : ' conc'}`,
          `${access.previous.before ? 'after' : '∥ concurrent with'} #${access.previous.seq}`,
        ),
      );
    row.appendChild(el('span', 'meta', access.location ?? ''));
    const span = access.span === undefined ? undefined : t.spans[access.span];
    if (span !== undefined) row.appendChild(el('span', 'on', `on ${span.name}`));
    row.addEventListener('click', () => {
      const on = span === undefined ? '' : `\nspan ${span.name}`;
      showDetail(detail, `${variable}\n${accessText(access)}${on}`);
    });
    return row;
  }

  function segmentRow(
    t: TraceView,
    critical: CriticalPathView,
    index: number,
    detail: ClientElement,
  ): ClientElement {
    const segment = critical.segments[index] as CriticalPathView['segments'][number];
    const span = segment.span === undefined ? undefined : t.spans[segment.span];
    const row = el('div', `row seg${span?.error === true ? ' fail' : ''}`);
    row.appendChild(el('span', 'sname', segment.name));
    const share = critical.duration > 0 ? segment.self / critical.duration : 0;
    const track = el('span', 'track');
    const bar = el('span', `bar${segment.open === true ? ' open' : ''}`);
    bar.style.left = `${critical.duration > 0 ? Math.min(100, (segment.start / critical.duration) * 100) : 0}%`;
    bar.style.width = `${Math.min(100, share * 100)}%`;
    track.appendChild(bar);
    row.appendChild(track);
    const open = segment.open === true ? ' (open)' : '';
    row.appendChild(el('span', 'dur', `${formatMs(segment.self)}${open}`));
    row.appendChild(el('span', 'share', `${Math.round(share * 100)}%`));
    row.setAttribute('title', `${segment.name}: ${formatMs(segment.self)} of its own on the path`);
    row.addEventListener('click', () => {
      const facts = [
        `${segment.name}: ${formatMs(segment.self)} of the path its own (${Math.round(share * 100)}% of ${formatMs(critical.duration)})${open}`,
        `from +${formatMs(segment.start)} after the trace's first span start`,
      ];
      if (segment.service !== undefined) facts.push(`service ${segment.service}`);
      if (span !== undefined) facts.push(`span ${span.id}, ${formatMs(span.duration)} in all`);
      showDetail(detail, facts.join('\n'));
    });
    return row;
  }

  function svg(tag: string, attributes: Record<string, string | number>): ClientElement {
    const element = doc.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes))
      element.setAttribute(name, String(value));
    return element;
  }

  function sankeySvg(picture: SankeyPicture): ClientElement {
    const root = svg('svg', {
      width: picture.width,
      height: picture.height,
      viewBox: `0 0 ${picture.width} ${picture.height}`,
      role: 'img',
      'aria-label': 'Where the time went: the span tree as a Sankey diagram',
    });
    for (const link of picture.links) {
      // Path data is numbers and commands only; anything else is not drawn.
      if (!/^[-0-9. MCLZ]*$/.test(link.d)) continue;
      root.appendChild(
        svg('path', { d: link.d, class: `link${link.error === true ? ' err' : ''}` }),
      );
    }
    for (const node of picture.nodes) {
      const group = svg('g', {});
      const title = svg('title', {});
      title.textContent = node.title;
      group.appendChild(title);
      group.appendChild(
        svg('rect', {
          x: node.x,
          y: node.y,
          width: node.width,
          height: node.height,
          class: `node${node.error === true ? ' err' : ''}`,
        }),
      );
      const label = svg('text', { x: node.x + node.width + 4, y: node.y + node.height / 2 + 4 });
      label.textContent = node.label;
      group.appendChild(label);
      root.appendChild(group);
    }
    return root;
  }

  // The search box: entity ids, kinds, stages, actions and meta, debounced.
  const search = byId('search') as ClientInput;
  const counter = byId('count');
  function showCount(): void {
    if (query === '') {
      const decisions = traces.reduce((n, t) => n + t.decisions, 0);
      const races = racesOf.reduce((n, r) => n + r.length, 0);
      const parts = [
        plural(traces.length, 'trace', 'traces'),
        plural(decisions, 'decision', 'decisions'),
      ];
      if (races > 0) parts.push(plural(races, 'race', 'races'));
      counter.textContent = parts.join(' · ');
      return;
    }
    let decisions = 0;
    let entities = 0;
    let races = 0;
    let accesses = 0;
    for (const index of shownTraces) {
      const match = matchOf(index);
      decisions += match.decisions;
      entities += match.entities;
      races += match.races;
      accesses += match.accesses;
    }
    const where =
      traces.length > 1
        ? ` in ${shownTraces.length} of ${plural(traces.length, 'trace', 'traces')}`
        : '';
    const parts: string[] = [];
    if (entities > 0)
      parts.push(
        `${plural(decisions, 'decision', 'decisions')} of ${plural(entities, 'entity', 'entities')}`,
      );
    if (races > 0) parts.push(plural(races, 'race', 'races'));
    if (accesses > 0) parts.push(plural(accesses, 'state access', 'state accesses'));
    counter.textContent = parts.length === 0 ? 'no match' : `${parts.join(', ')} match${where}`;
  }
  function applySearch(): void {
    const start = win.performance.now();
    query = search.value.trim().toLowerCase();
    matches = [];
    shownTraces = traces.map((_, i) => i);
    if (query !== '') shownTraces = shownTraces.filter(matchesAny);
    showCount();
    traceList.reset();
    for (const refresh of refreshers) refresh();
    doc.documentElement.setAttribute('data-search', query);
    win.performance.measure('stepmark-viewer-search', { start, end: win.performance.now() });
  }
  let pending = 0;
  search.addEventListener('input', () => {
    if (pending !== 0) win.clearTimeout(pending);
    pending = win.setTimeout(() => {
      pending = 0;
      applySearch();
    }, DEBOUNCE);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    search.value = '';
    applySearch();
  });
  doc.addEventListener('keydown', (event) => {
    const typing = doc.activeElement !== null && doc.activeElement.tagName === 'INPUT';
    if (event.key === '/' && !typing) {
      event.preventDefault();
      search.focus();
    }
  });

  let resizing = 0;
  win.addEventListener('resize', () => {
    if (resizing !== 0) return;
    resizing = win.requestAnimationFrame(() => {
      resizing = 0;
      traceList.draw();
      for (const draw of traceLists) draw();
    });
  });

  showCount();
  renderTrace();
  traceList.draw();
  doc.documentElement.setAttribute('data-rendered', '1');
  win.performance.mark('stepmark-viewer-rendered');
}
