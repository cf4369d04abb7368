import type { History } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WorkLoopInput } from '../../src/samples/types.js';
import {
  WORK_LOOP_CONTINUE_AS_NEW_PATCH,
  type workLoopWorkflow,
} from '../../src/samples/workflows/work-loop.js';
import { startSampleEnv, type SampleEnv } from '../helpers/sample-worker.js';

/** The server suggests continue-as-new from this many events (the default is 4,096)... */
const SUGGEST_AT = 40;
/** ...and terminates a run at this many (the default is 51,200): a loop that ignores it dies. */
const HARD_LIMIT = 300;

let env: SampleEnv;
beforeAll(async () => {
  env = await startSampleEnv({
    worker: {
      steps: {
        // Reports the escalation it sees; passes once an instruction says "use the fix".
        'until-told': {
          command: [
            'sh',
            '-c',
            'echo "escalation $HEADWAY_ESCALATION"; grep -q "use the fix" "$HEADWAY_INSTRUCTIONS_FILE"',
          ],
        },
      },
    },
    dynamicConfig: {
      'limit.historyCount.suggestContinueAsNew': SUGGEST_AT,
      'limit.historyCount.warn': SUGGEST_AT,
      'limit.historyCount.error': HARD_LIMIT,
    },
  });
});
afterAll(async () => {
  await env?.stop();
});

interface RunRecord {
  readonly runId: string;
  readonly events: number;
  readonly continuedAs: string | undefined;
  readonly patchMarkers: number;
}

/** Every run of a workflow's chain, from the first, with its event count and successor. */
async function chainOf(workflowId: string, firstRunId: string): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let runId: string | undefined = firstRunId;
  while (runId !== undefined && runs.length < 1_000) {
    const history: History = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const last = events.at(-1);
    const continuedAs =
      last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    const patchMarkers = events.filter((e) =>
      Object.values(e.markerRecordedEventAttributes?.details ?? {}).some((d) =>
        (d.payloads ?? []).some((p) =>
          Buffer.from(p.data ?? [])
            .toString('utf8')
            .includes(WORK_LOOP_CONTINUE_AS_NEW_PATCH),
        ),
      ),
    ).length;
    runs.push({ runId, events: events.length, continuedAs, patchMarkers });
    runId = continuedAs;
  }
  return runs;
}

describe('workLoop continues as new before its history outgrows the server (real dev server, low limits)', () => {
  it('hands over to new runs when suggested, keeping its counters, instructions and every signal', async () => {
    const input: WorkLoopInput = {
      step: 'until-told',
      maxIterations: 1_000,
      instructions: ['first'],
    };
    const handle = await env.client.workflow.start<typeof workLoopWorkflow>('workLoop', {
      taskQueue: env.taskQueue,
      workflowId: `work-loop-can-${Date.now()}`,
      args: [input],
    });
    const runIds = new Set([handle.firstExecutionRunId]);
    const notes: string[] = [];
    let escalations = 0;
    let iterations = 0;
    // Signals go in while the loop iterates and continues as new, until it has done more than one
    // run could hold (every iteration is at least six events) over at least three runs.
    while (iterations * 6 <= HARD_LIMIT || runIds.size < 3) {
      expect(escalations, 'signals sent before the loop got far enough').toBeLessThan(5_000);
      await handle.signal('escalate', `nudge ${escalations}`);
      escalations += 1;
      if (escalations % 5 === 0) {
        notes.push(`note ${escalations}`);
        await handle.signal('injectInstruction', notes.at(-1));
      }
      iterations = await handle.query<number>('iterationCount');
      runIds.add((await handle.describe()).runId);
    }
    await handle.signal('injectInstruction', 'use the fix');
    const result = await handle.result();

    const chain = await chainOf(handle.workflowId, handle.firstExecutionRunId);
    expect(result.outcome).toBe('passed');
    // No signal was lost across the hand-overs, and instructions kept their order.
    expect(result.escalationLevel).toBe(escalations);
    expect(result.instructions).toEqual(['first', ...notes, 'use the fix']);
    // The iteration counter went on across runs: the step saw the carried count.
    expect(result.lastResult?.iteration).toBe(result.iterations);
    expect(result.iterations).toBeGreaterThan(HARD_LIMIT / 6);
    expect(result.lastResult?.output).toContain(`escalation ${escalations}`);
    expect(result.runs).toBe(chain.length);
    expect(chain.length).toBeGreaterThanOrEqual(3);
    // Every run but the last continued as new, each after a patch marker, none near the limit.
    expect(chain.slice(0, -1).every((r) => r.continuedAs !== undefined)).toBe(true);
    expect(chain.at(-1)?.continuedAs).toBeUndefined();
    expect(chain.slice(0, -1).map((r) => r.patchMarkers)).toEqual(chain.slice(0, -1).map(() => 1));
    for (const run of chain) expect(run.events).toBeLessThan(HARD_LIMIT);
    expect(chain.reduce((n, r) => n + r.events, 0)).toBeGreaterThan(HARD_LIMIT);
    expect(await handle.query('currentState')).toBe('passed');
  });
});
