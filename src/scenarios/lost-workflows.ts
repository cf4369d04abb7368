import type { Client } from '@temporalio/client';

import { errorMessage } from '../errors.js';

import type { LoadStream } from './load-stream.js';
import type { ExpectationResult } from './types.js';

/** How long the workers get to finish what was in flight when the load stopped. */
const DRAIN_S = 90;
const TERMINAL_OTHER = ['Failed', 'Terminated', 'TimedOut', 'Canceled'] as const;

/**
 * "No lost workflow", from the server, not from the load's own waits: once the load has stopped
 * starting and the workers have finished what was in flight, every workflow whose start the server
 * accepted has completed. (A start the client saw fail may still have been created: it counts if
 * it completed, and is lost if it did not.)
 */
export async function checkNoLostWorkflows(
  client: Client,
  load: LoadStream,
  idPrefix: string,
  say: (line: string) => void,
): Promise<ExpectationResult> {
  const base = {
    id: 'no-lost-workflow',
    description:
      'after recovery: every workflow the server accepted completed (asked of the server)',
    at_s: null,
  };
  try {
    await load.stop();
    const accepted = load.counts().started;
    const count = async (status: string): Promise<number> =>
      (
        await client.workflow.count(
          `WorkflowId STARTS_WITH "${idPrefix}" AND ExecutionStatus = "${status}"`,
        )
      ).count;
    say(`checking the server for lost workflows (${accepted} accepted starts)`);
    let running = await count('Running');
    for (let waited = 0; running > 0 && waited < DRAIN_S; waited += 2) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      running = await count('Running');
    }
    const completed = await count('Completed');
    const others = await Promise.all(TERMINAL_OTHER.map(async (s) => [s, await count(s)] as const));
    const ended = others.filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
    const lost = running > 0 || ended.length > 0 || completed < accepted;
    return {
      ...base,
      status: lost ? 'fail' : 'pass',
      detail:
        `${accepted} starts accepted; the server has ${completed} completed, ${running} running` +
        (ended.length > 0 ? `, ${ended.join(', ')}` : '') +
        (lost ? '' : ' (none lost)'),
    };
  } catch (err) {
    return { ...base, status: 'fail', detail: `could not ask the server: ${errorMessage(err)}` };
  }
}
