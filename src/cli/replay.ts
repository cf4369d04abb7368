import { Command } from 'commander';

import { thresholdsFromFile } from '../config/thresholds.js';
import { DEFAULT_THRESHOLDS } from '../health/index.js';
import { readTrace, replayTrace } from '../signals/trace.js';

import { formatTable, type Io } from './output.js';

interface ReplayOptions {
  json?: boolean;
  thresholds?: string;
}

export function replayCommand(io: Io): Command {
  return new Command('replay')
    .description(
      'Run the state machine over a recorded trace (one JSON object per line: timestamp, ' +
        'primary_signals, amplifiers, worker_signals; a missing or null field is absent). ' +
        'Starts from happy with a zero critical count, as a fresh copilot does.',
    )
    .argument('<trace>', 'trace file (JSON Lines), e.g. from `headway record`')
    .option('--json', 'print one JSON object per input line')
    .option(
      '--thresholds <file>',
      'threshold overrides (YAML or JSON, same shape as signals.thresholds)',
    )
    .action(async (trace: string, options: ReplayOptions) => {
      const thresholds =
        options.thresholds === undefined
          ? DEFAULT_THRESHOLDS
          : thresholdsFromFile(options.thresholds);
      const evaluations = replayTrace(await readTrace(trace), thresholds);
      const rows: string[][] = [];
      for (const e of evaluations) {
        if (options.json === true) {
          io.out(
            `${JSON.stringify({
              timestamp: e.timestamp,
              health_state: e.health_state,
              scale_band: e.scale_band,
              consecutive_critical: e.consecutive_critical,
              fired_gates: e.fired_gates,
              is_idle: e.is_idle,
              is_system_busy: e.is_system_busy,
              reasons: e.reasons,
            })}\n`,
          );
        } else {
          rows.push([
            e.timestamp,
            e.health_state,
            e.scale_band,
            String(e.consecutive_critical),
            e.fired_gates.join(' ') || '-',
          ]);
        }
      }
      if (options.json !== true) {
        io.out(formatTable(['timestamp', 'state', 'band', 'critical run', 'fired gates'], rows));
        const changes = rows.filter((r, i) => i === 0 || r[1] !== rows[i - 1]?.[1]).length;
        io.out(`\n${rows.length} observations, ${changes} state changes (first included)\n`);
      }
    });
}
