/** Stages remembered, and actions per stage: names are labels from code, a few hundred at most. */
const MAX_STAGES = 1_024;
const MAX_ACTIONS_PER_STAGE = 256;

let byStage = new Map<string, Map<string, string>>();

/**
 * The span event name of a decision, `<stage>: <action>` (`fraud_check: blocked`). Built once per
 * pair and then reused: the pairs repeat on every request, and building the string per decision
 * costs an allocation each (a concatenation of 13 or more characters is a V8 cons string, which
 * the exporter flattens again). Bounded: past the caps the cache starts over, so labels made from
 * data (one per request) cost what an uncached name costs, never memory held for good.
 * @example decisionEventName('fraud_check', 'blocked') // 'fraud_check: blocked'
 */
export function decisionEventName(stage: string, action: string): string {
  let actions = byStage.get(stage);
  if (actions === undefined) {
    if (byStage.size >= MAX_STAGES) byStage = new Map();
    actions = new Map();
    byStage.set(stage, actions);
  }
  let name = actions.get(action);
  if (name === undefined) {
    if (actions.size >= MAX_ACTIONS_PER_STAGE) actions.clear();
    name = `${stage}: ${action}`;
    actions.set(action, name);
  }
  return name;
}
