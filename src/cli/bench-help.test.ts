import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { benchCommand } from './bench.js';

const io = { out: (): void => undefined, err: (): void => undefined };

/** What `headway bench <name> --help` prints, its text after the options included. */
function helpOf(name: string): string {
  const command = benchCommand(io).commands.find((c: Command) => c.name() === name);
  if (command === undefined) throw new Error(`no bench ${name}`);
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe('bench help', () => {
  it.each(['run', 'find-max'])(
    'bench %s: a fresh namespace, not $TEMPORAL_NAMESPACE, and where it connects',
    (name) => {
      const text = helpOf(name);
      expect(text).toMatch(/Default namespace: a fresh bench-<id>/);
      expect(text).toMatch(/--namespace <name>\s+namespace \(default: a fresh bench-<id>/);
      expect(text).not.toMatch(/default: \$TEMPORAL_NAMESPACE/);
      expect(text).toMatch(/\$TEMPORAL_NAMESPACE is\s+not used/);
      expect(text).toMatch(/Default address: temporal\.address \/ \$TEMPORAL_ADDRESS/);
    },
  );

  it('bench find-max names the task queue each step runs on', () => {
    expect(helpOf('find-max')).toMatch(/<task queue>-<step>/);
  });
});
