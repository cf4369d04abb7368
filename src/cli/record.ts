import { setTimeout as delay } from 'node:timers/promises';

import { Command } from 'commander';

import { collectSignals } from '../signals/collect.js';
import { collectOptionsFor, prometheusClientFor } from '../signals/source.js';
import { signalsConfig } from '../stack/stack-config.js';

import { loadCommandConfig, withCommonOptions, type CommonOptions } from './common.js';
import { parseDuration } from './duration.js';
import type { Io } from './output.js';

interface RecordOptions extends CommonOptions {
  prometheus?: string;
  duration?: string;
  interval: string;
}

export function recordCommand(io: Io): Command {
  return withCommonOptions(new Command('record'))
    .description(
      'Collect signals every interval and write them as a trace (JSON Lines) to stdout, so an ' +
        'incident can be replayed with `headway replay`. Runs until --duration or Ctrl-C.',
    )
    .option(
      '--prometheus <url>',
      'Prometheus URL (default: signals.prometheus_url, else the local stack)',
    )
    .option('--duration <d>', 'how long to record, e.g. 30s, 10m, 1h (default: until Ctrl-C)')
    .option('--interval <d>', 'time between collections', '10s')
    .addHelpText('after', '\nExample: headway record --duration 10m > incident.jsonl')
    .action(async (options: RecordOptions) => {
      const config = signalsConfig(loadCommandConfig(options).config, options.prometheus);
      const interval = parseDuration(options.interval, '--interval');
      const duration =
        options.duration === undefined ? Infinity : parseDuration(options.duration, '--duration');
      const client = prometheusClientFor(config, { url: options.prometheus });
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const started = Date.now();
      let count = 0;
      try {
        while (!stop.signal.aborted && Date.now() - started < duration) {
          const tick = Date.now();
          const c = await collectSignals(client, {
            ...collectOptionsFor(config),
            signal: stop.signal,
          });
          if (stop.signal.aborted) break;
          io.out(`${JSON.stringify(c.signals)}\n`);
          count += 1;
          io.err(
            `▸ ${count} observation(s), last ${c.quality.prometheus_ok ? 'ok' : 'Prometheus did not answer'}` +
              ` (${c.quality.duration_ms} ms)\n`,
          );
          const wait = Math.min(interval - (Date.now() - tick), duration - (Date.now() - started));
          if (wait > 0)
            await delay(wait, undefined, { signal: stop.signal }).catch(() => undefined);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      io.err(`▸ recorded ${count} observation(s)\n`);
    });
}
