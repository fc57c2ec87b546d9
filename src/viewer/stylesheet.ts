/**
 * The viewer page's stylesheet, inlined in its `<style>` (allowed by hash in the page's CSP).
 * Row heights match the client's `ROW` (24px) and `TRACE_ROW` (62px).
 */
export const STYLESHEET = `
:root {
  --fg: #1d232b; --dim: #5f6b7a; --line: #e3e7ec; --bg: #fff; --panel: #f6f8fa;
  --fail: #b42318; --fail-bg: #fef3f2; --accent: #2454c7; --bar: #5b8def; --note: #7a4d00;
  --crit: #7a3fd1;
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
header.top {
  display: flex; gap: 12px; align-items: center; padding: 8px 16px; height: 46px;
  border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--bg); z-index: 2;
}
h1 { font-size: 15px; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 30vw; }
h2 { font-size: 15px; margin: 0; display: flex; gap: 10px; align-items: baseline; min-width: 0; flex-wrap: wrap; }
h3 { font-size: 13px; margin: 18px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--dim); }
#search { flex: 1; max-width: 480px; padding: 5px 8px; border: 1px solid #c5ccd6; border-radius: 6px; font: inherit; }
#count { color: var(--dim); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.notes { margin: 0; padding: 6px 16px 6px 32px; background: #fffbeb; color: var(--note); border-bottom: 1px solid #f5e3b3; }
.tnotes { border: 1px solid #f5e3b3; border-radius: 6px; margin: 8px 0; }
.layout { display: flex; align-items: flex-start; }
nav { width: 300px; flex: none; border-right: 1px solid var(--line); position: sticky; top: 46px; }
main { flex: 1; min-width: 0; padding: 12px 16px 40px; }
.vport { overflow-y: auto; position: relative; border: 1px solid var(--line); border-radius: 6px; max-height: 60vh; }
nav .vport { border: 0; border-radius: 0; max-height: calc(100vh - 46px); }
.spacer { position: relative; }
.row {
  position: absolute; left: 0; right: 0; display: flex; gap: 10px; align-items: center;
  padding: 0 8px; white-space: nowrap; overflow: hidden; border-bottom: 1px solid #f0f2f5; cursor: pointer;
}
.row:hover { background: var(--panel); }
.row > span { overflow: hidden; text-overflow: ellipsis; flex: none; }
.row > .meta { flex: 1 1 auto; color: var(--dim); min-width: 0; }
.ent { background: var(--panel); font-weight: 600; }
.ev { padding-left: 28px; }
.time { color: var(--dim); font-variant-numeric: tabular-nums; width: 92px; }
.ev .stage { width: 160px; }
.ev .action { width: 120px; font-weight: 600; }
.row .eid { max-width: 30%; }
.kind, .count, .on { color: var(--dim); font-weight: 400; }
.fail .action, .outcome.fail, .ent.fail .eid { color: var(--fail); }
.ev.fail, .ent.fail { background: var(--fail-bg); box-shadow: inset 3px 0 var(--fail); }
.outcome { font-weight: 600; }
.thead { display: flex; gap: 16px; align-items: baseline; justify-content: space-between; }
.tid { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; word-break: break-all; }
.tname { color: var(--dim); font-weight: 400; }
.jaeger { color: var(--accent); white-space: nowrap; }
.span-link { flex: none; width: 14px; text-decoration: none; }
.facts, .tmeta, .hint { color: var(--dim); margin: 4px 0; overflow-wrap: anywhere; }
.failing { border: 1px solid #f4b8b2; background: var(--fail-bg); border-radius: 6px; padding: 8px 12px; margin: 10px 0; color: var(--fail); }
.failing ul { margin: 4px 0 0; padding-left: 18px; }
.failing li { overflow-wrap: anywhere; }
.failing .eid, .failing .action { font-weight: 600; }
.failing .kind { color: var(--fail); opacity: .8; }
.trow { position: absolute; left: 0; right: 0; padding: 6px 12px; border-bottom: 1px solid var(--line); cursor: pointer; overflow: hidden; }
.trow:hover { background: var(--panel); }
.trow.sel { background: #eaf0fd; box-shadow: inset 3px 0 var(--accent); }
.trow div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tlabel { font-weight: 600; }
.tstats { color: var(--dim); font-size: 12px; }
.tfail { color: var(--fail); font-size: 12px; font-weight: 600; }
.scale { display: flex; gap: 10px; padding: 0 8px 2px; color: var(--dim); font-size: 12px; }
.sname { width: 32%; }
.track { flex: 1 1 auto; position: relative; height: 12px; }
.row > .track { flex: 1 1 auto; background: #f3f5f8; border-radius: 3px; }
.bar { position: absolute; top: 0; bottom: 0; min-width: 2px; background: var(--bar); border-radius: 3px; }
.fail .bar { background: var(--fail); }
.fail .sname { color: var(--fail); }
.skind { color: var(--dim); }
.runtime { list-style: none; padding: 0; margin: 4px 0; }
.runtime .time { color: var(--dim); margin-right: 4px; }
.bar.open { background: repeating-linear-gradient(45deg, var(--bar), var(--bar) 4px, #a9c1f5 4px, #a9c1f5 8px); }
.dur { width: 110px; text-align: right; color: var(--dim); font-variant-numeric: tabular-nums; }
.race, .vhead { background: var(--panel); font-weight: 600; }
.race.fail, .vhead.fail, .acc.fail { background: var(--fail-bg); box-shadow: inset 3px 0 var(--fail); }
.rkind { color: var(--fail); font-weight: 600; }
.row .var, .row .vname { max-width: 40%; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.failing .var { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; }
.acc { padding-left: 28px; }
.acc .seq { width: 64px; color: var(--dim); font-variant-numeric: tabular-nums; }
.acc .access { width: 64px; font-weight: 600; }
.acc.fail .access { color: var(--fail); }
.acc .value { width: 180px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.acc .task { width: 120px; }
.acc .other { color: var(--note); }
.acc .link { color: var(--dim); }
.acc .link.conc { color: var(--note); font-weight: 600; }
.share { width: 44px; text-align: right; color: var(--dim); font-variant-numeric: tabular-nums; }
.seg .bar { background: var(--crit); }
.span.crit { box-shadow: inset 3px 0 var(--crit); }
.span.crit .bar { box-shadow: 0 0 0 2px var(--crit); }
.sankey { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 4px; }
.sankey .node { fill: var(--bar); }
.sankey .node.err { fill: var(--fail); }
.sankey .link { fill: var(--bar); opacity: .28; }
.sankey .link.err { fill: var(--fail); }
.sankey text { font-size: 11px; fill: var(--fg); }
pre.detail {
  background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 240px; overflow: auto; margin: 8px 0;
}
.empty { color: var(--dim); font-size: 15px; padding: 24px 0; }
[hidden] { display: none !important; }
`;
