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
}

/** Everything the page shows. */
export interface PageData {
  title: string;
  /** What the page left out of its input (items that are no trace, caps). */
  notes: string[];
  traces: TraceView[];
}
