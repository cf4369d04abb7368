import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';

import { errorMessage } from '../errors.js';

import type { LoadStream } from './load-stream.js';
import type { ExpectationResult } from './types.js';

/** How long the workers get to finish what was in flight when the load stopped. */
const DRAIN_S = 90;

/**
 * "No lost workflow", from the server, not from the load's own waits: once the load has stopped
 * starting and the workers have finished what was in flight, every workflow whose start the server
 * accepted is Completed in its visibility store. Workflows the client saw fail to start but the
 * server created anyway are reported, not judged: nobody was told they exist.
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
    const accepted = load.acceptedIds();
    say(`checking the server for lost workflows (${accepted.size} accepted starts)`);
    let statuses = await statusesOf(client, idPrefix);
    // Still open: running, or not listed yet. A start in flight when the load stopped can be
    // accepted after the first list (CI: 417 accepted at the first list, 418 in the end), and
    // visibility trails the start; both show up in a later list.
    const open = () =>
      [...accepted].filter((id) => {
        const status = statuses.get(id);
        return status === undefined || status === 'RUNNING';
      });
    for (let waited = 0; open().length > 0 && waited < DRAIN_S; waited += 2) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      statuses = await statusesOf(client, idPrefix);
    }
    const byStatus = new Map<string, string[]>();
    for (const id of accepted) {
      const status = statuses.get(id) ?? 'MISSING';
      byStatus.set(status, [...(byStatus.get(status) ?? []), id]);
    }
    const completed = byStatus.get('COMPLETED')?.length ?? 0;
    const lost = [...byStatus].filter(([status]) => status !== 'COMPLETED');
    const unaccepted = [...statuses.keys()].filter((id) => !accepted.has(id)).length;
    const extra =
      unaccepted === 0
        ? ''
        : `; ${unaccepted} more the client saw fail to start exist on the server (not judged)`;
    return {
      ...base,
      status: lost.length > 0 ? 'fail' : 'pass',
      detail:
        `${accepted.size} starts accepted, ${completed} completed` +
        (lost.length === 0
          ? ' (none lost)'
          : `; not completed: ${lost.map(([s, ids]) => `${ids.length} ${s} (first ${ids[0] ?? ''})`).join(', ')}`) +
        extra,
    };
  } catch (err) {
    return { ...base, status: 'fail', detail: `could not ask the server: ${errorMessage(err)}` };
  }
}

/** Every workflow of this run, by id, with its status (the latest run of each id). */
async function statusesOf(
  client: Client,
  idPrefix: string,
): Promise<Map<string, WorkflowExecutionStatusName>> {
  const out = new Map<string, WorkflowExecutionStatusName>();
  for await (const w of client.workflow.list({ query: `WorkflowId STARTS_WITH "${idPrefix}"` })) {
    if (!out.has(w.workflowId)) out.set(w.workflowId, w.status.name);
  }
  return out;
}
