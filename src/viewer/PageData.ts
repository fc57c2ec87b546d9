// What the server embeds in the page and the client reads: plain JSON, every string already cut
// to size and every number finite. Built by `preparePage`; read by `viewerClient`.

/** One meta entry as shown: its key and its value as text (JSON for anything but a string). */
export type MetaRow = [key: string, value: string];

/** One decision as shown. */
export interface EventView {
  stage: string;
  action: string;
  /** Time of day `HH:MM:SS.mmm` of an ISO timestamp, else the timestamp as given. */
  time: string;
  meta: MetaRow[];
  /** Index in the trace's `spans` of the span it was written on, when that span is shown. */
  span?: number;
  service?: string;
  /** Looks like a rejection: a failing action word, or the error its span was marked with. */
  failing?: true;
}

/** One entity (or the request's own decisions) as shown. */
export interface EntityView {
  id: string;
  kind?: string;
  meta: MetaRow[];
  events: EventView[];
  /** Its last decision: how it ended up. */
  outcome?: { stage: string; action: string };
  /** Its last decision is failing. */
  failing?: true;
  /** The decisions recorded on no entity (`trace.events`). */
  request?: true;
}

/** One span as a row of the Gantt chart, in tree order (each span before its children). */
export interface SpanView {
  id: string;
  name: string;
  /** A task or region of `stepmark-otel/runtime`. */
  kind?: 'task' | 'region';
  depth: number;
  /** Milliseconds from the trace's first span start; -1 when its start time is unreadable. */
  offset: number;
  duration: number;
  tags: MetaRow[];
  error?: true;
  open?: true;
  service?: string;
  /** It names a parent that is not in the trace (another service's, or dropped). */
  orphan?: true;
  /** Decisions written on it. */
  decisions: number;
  /** It is on the trace's critical path: the milliseconds of the path it owns (`self_ms`). */
  critical?: number;
}

/** One state access (`trace.state`, or a side of a race) as shown. */
export interface AccessView {
  /** `read`, `write` or `delete` (a race's access of another shape: what it says, cut). */
  access: string;
  /** The value read or written, as JSON text; absent when the access has none. */
  value?: string;
  /** The value before a write, as JSON text. */
  old?: string;
  task: string;
  /** The trace it was recorded in (a race names accesses of other traces too). */
  trace: string;
  /** The user's source location, `file:line:column`. */
  location?: string;
  /** Time of day `HH:MM:SS.mmm`. */
  time: string;
  /** The process-wide order of the access; -1 when the input has none. */
  seq: number;
  /** Locks the task held, joined with `, `. */
  locks?: string;
  /** Index in the trace's `spans` of the span it was recorded on, when that span is shown. */
  span?: number;
  service?: string;
  /** How it relates to the previous access of its variable (the audit trail's causal link). */
  previous?: { seq: number; before: boolean };
  /** It is one side of a race of this trace. */
  race?: true;
}

/** A race of the trace (`trace.races`). */
export interface RaceView {
  /** `lost_update`, `write_write` or `read_write`. */
  kind: string;
  /** The kind for people: `lost update`, `write/write`, `read/write`. */
  label: string;
  variable: string;
  accesses: AccessView[];
}

/** The audit trail of one variable: its accesses in order. */
export interface VariableView {
  variable: string;
  accesses: AccessView[];
  /** Races of the trace on this variable. */
  races?: number;
}

/** A span on the critical path and the milliseconds of the path it owns. */
export interface PathSegmentView {
  name: string;
  /** Milliseconds from the trace's first span start. */
  start: number;
  self: number;
  /** Index in the trace's `spans`, when that span is shown. */
  span?: number;
  service?: string;
  open?: true;
}

/** The critical path of a trace: `trace.critical_path`, or computed by the page from its spans. */
export interface CriticalPathView {
  duration: number;
  segments: PathSegmentView[];
  /** Computed by the page (`criticalPath`): the trace carried none. */
  computed?: true;
}

/** A node of the Sankey picture: one span name under one parent group, durations summed. */
export interface SankeyNode {
  x: number;
  y: number;
  width: number;
  height: number;
  /** `name 12.3 ms ×3`, cut to fit. */
  label: string;
  /** The full name, duration and count (a tooltip). */
  title: string;
  error?: true;
}

/** The Sankey picture of where the time went, laid out in pixels. */
export interface SankeyPicture {
  width: number;
  height: number;
  nodes: SankeyNode[];
  /** SVG path data of each link, numbers only. */
  links: Array<{ d: string; error?: true }>;
  /** What was left out of the picture. */
  notes: string[];
}

/** One runtime event of a request (`trace.runtime`): a GC, or a stretch that held the loop. */
export interface RuntimeEventView {
  /** Time of day `HH:MM:SS.mmm`. */
  time: string;
  /** `GC major 12.2 ms`, `blocked 101.2 ms by trace … (task report, region parseReport)`, … */
  text: string;
}

/** What the Node.js runtime did during the request (`trace.runtime`, the RuntimeMonitor's). */
export interface RuntimeView {
  /** `161.2 ms = own work 8.8 + blocked 101.2 + GC 12.2 + waiting 39.0` */
  summary: string;
  /** Its GCs and the stretches it was blocked or held the loop, in time order. */
  events: RuntimeEventView[];
  /** Entries the trace (or the page) left out of its lists. */
  dropped?: number;
}

/** One trace as shown. */
export interface TraceView {
  id: string;
  /** The name of its first root span, else its meta in short; '' when neither. */
  label: string;
  /** A link to the trace in Jaeger's UI (http or https only). */
  jaeger?: string;
  /** Date and time of its first span or decision, as given. */
  start?: string;
  /** From its first span start to its last span end, in milliseconds. */
  duration?: number;
  meta: MetaRow[];
  /** What the trace says it left out, and what the page left out of it. */
  notes: string[];
  /** Failing entities first, then the others in the trace's order. */
  entities: EntityView[];
  decisions: number;
  spans: SpanView[];
  sankey?: SankeyPicture;
  /** Its races (`trace.races`), when it has any. */
  races?: RaceView[];
  /** Its state accesses (`trace.state`) per variable, variables in order of first access. */
  state?: VariableView[];
  /** State accesses shown, over all variables. */
  accesses?: number;
  /** Its critical path, when it has spans with times. */
  critical?: CriticalPathView;
  /** What the runtime did during it, when the trace has `runtime`. */
  runtime?: RuntimeView;
}

/** Everything the page shows. */
export interface PageData {
  title: string;
  /** What the page left out of its input (items that are no trace, caps). */
  notes: string[];
  traces: TraceView[];
}
