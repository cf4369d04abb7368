import { LoggerWithComposedMetadata } from '@temporalio/common/lib/logger.js';
import { Runtime } from '@temporalio/worker/lib/runtime.js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import { installRuntime } from './runtime.js';

describe('installRuntime', () => {
  it('sends SDK logs at the pino level on, and drops those below it before merging them', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    installRuntime({ logger });
    // The SDK composes its worker's and workflows' loggers on the runtime's logger this way.
    let merges = 0;
    const composed = LoggerWithComposedMetadata.compose(Runtime.instance().logger, () => {
      merges += 1;
      return { sdkComponent: 'worker' };
    });
    composed.trace('Got workflow activation');
    composed.debug('Completed activation');
    composed.info('Worker state changed');
    expect(merges).toBe(0);

    composed.warn('Workflow task failed', { runId: 'r1' });
    expect(merges).toBe(1);
    Runtime.instance().flushLogs();
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 40,
      msg: 'Workflow task failed',
      sdkComponent: 'worker',
      runId: 'r1',
    });
  });
});
