/** The `--workflow-type` values, the workflow each runs and the arguments it gets. */
export const WORKFLOW_TYPES = [
  'simple',
  'multi-activity',
  'timer',
  'child-workflow',
  'state-transitions',
] as const;
export type BenchWorkflowType = (typeof WORKFLOW_TYPES)[number];

export interface WorkflowParams {
  readonly activityCount: number;
  readonly timerDurationMs: number;
  readonly childCount: number;
}

/** Registered workflow name (the exported function name) and its arguments. */
export function workflowCall(
  type: BenchWorkflowType,
  params: WorkflowParams,
): { readonly name: string; readonly args: unknown[] } {
  switch (type) {
    case 'simple':
      return { name: 'simpleWorkflow', args: [] };
    case 'multi-activity':
      return { name: 'multiActivityWorkflow', args: [params.activityCount] };
    case 'timer':
      return { name: 'timerWorkflow', args: [params.timerDurationMs] };
    case 'child-workflow':
      return { name: 'childWorkflow', args: [params.childCount] };
    case 'state-transitions':
      return { name: 'stateTransitionsWorkflow', args: [params.activityCount] };
  }
}
