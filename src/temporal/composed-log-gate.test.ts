import { LoggerWithComposedMetadata } from '@temporalio/common/lib/logger.js';
import { DefaultLogger, type LogEntry } from '@temporalio/worker/lib/logger.js';
import { describe, expect, it } from 'vitest';

import { checkLevelBeforeComposing } from './composed-log-gate.js';

/**
 * A root logger keeping all that reaches it (as the SDK's collector of forwarded logs does), and a
 * composed logger on it counting merges.
 */
function composedOn() {
  const entries: LogEntry[] = [];
  const root = new DefaultLogger('TRACE', (entry) => entries.push(entry));
  let merges = 0;
  const composed = LoggerWithComposedMetadata.compose(root, () => {
    merges += 1;
    return { sdkComponent: 'worker' };
  });
  // Composing on a composed logger is what the SDK does for its workflow log sink.
  const sink = LoggerWithComposedMetadata.compose(composed, { sdkComponent: 'workflow' });
  return { root, entries, composed, sink, merges: () => merges };
}

describe('checkLevelBeforeComposing', () => {
  it('drops entries below the root level before merging their metadata', () => {
    const { root, entries, composed, sink, merges } = composedOn();
    checkLevelBeforeComposing(root, 'WARN');
    composed.trace('activation', { runId: 'r1' });
    composed.debug('completed');
    composed.info('started');
    sink.debug('workflow started');
    composed.log('DEBUG', 'through log');
    expect(merges()).toBe(0);
    expect(entries).toEqual([]);

    composed.warn('slow', { runId: 'r2' });
    sink.error('failed');
    composed.log('ERROR', 'through log');
    expect(merges()).toBe(3);
    expect(entries.map((e) => [e.level, e.message, e.meta])).toEqual([
      ['WARN', 'slow', { sdkComponent: 'worker', runId: 'r2' }],
      ['ERROR', 'failed', { sdkComponent: 'workflow' }],
      ['ERROR', 'through log', { sdkComponent: 'worker' }],
    ]);
  });

  it('leaves loggers composed on another root as they were', () => {
    const gated = composedOn();
    checkLevelBeforeComposing(gated.root, 'WARN');
    const other = composedOn();
    other.composed.debug('kept: its root is not gated');
    expect(other.merges()).toBe(1);
    expect(other.entries).toHaveLength(1);

    const verbose = composedOn();
    checkLevelBeforeComposing(verbose.root, 'DEBUG');
    verbose.composed.debug('kept', { runId: 'r3' });
    verbose.composed.trace('dropped');
    expect(verbose.entries.map((e) => [e.level, e.meta])).toEqual([
      ['DEBUG', { sdkComponent: 'worker', runId: 'r3' }],
    ]);
    expect(verbose.merges()).toBe(1);
  });
});
