import { Command } from 'commander';

import type { HeadwayConfig } from '../config/schema.js';
import { thresholdsFrom } from '../config/thresholds.js';
import { ErrorCode, HeadwayError } from '../errors.js';
import { classifyBottleneck, evaluate, serviceHealth, type Signals } from '../health/index.js';
import { collectSignals, type Collection } from '../signals/collect.js';
import type { LogCollection } from '../signals/log-patterns.js';
import { SIGNALS, fieldOf, type SignalDef } from '../signals/registry.js';
import {
  collectOptionsFor,
  logSourceFor,
  prometheusClientFor,
  prometheusUrlFor,
} from '../signals/source.js';
import { signalsConfig } from '../stack/stack-config.js';

import { loadCommandConfig, withCommonOptions, type CommonOptions } from './common.js';
import { parseDuration } from './duration.js';
import { formatTable, printJson, type Io } from './output.js';

interface SignalsOptions extends CommonOptions {
  prometheus?: string;
  json?: boolean;
  logsWindow: string;
}

export function signalsCommand(io: Io): Command {
  return withCommonOptions(new Command('signals'))
    .description(
      'Collect every signal once from Prometheus and show it grouped by category, absent signals ' +
        'marked, with the data-quality report and the state one evaluation gives.',
    )
    .option(
      '--prometheus <url>',
      'Prometheus URL (default: signals.prometheus_url, else the local stack)',
    )
    .option('--json', 'print {signals, quality, status, evaluation, log_patterns, …} as JSON')
    .option(
      '--logs-window <d>',
      'window for narrative log patterns (Loki, else the local server log)',
      '5m',
    )
    .action(async (options: SignalsOptions) => {
      const config = signalsConfig(loadCommandConfig(options).config, options.prometheus);
      const thresholds = thresholdsFrom(config.signals.thresholds);
      const windowMs = parseDuration(options.logsWindow, '--logs-window');
      const [collection, logs] = await Promise.all([
        collectOnce(config, options.prometheus),
        logSourceFor(config).collect({ start: new Date(Date.now() - windowMs), end: new Date() }),
      ]);
      const evaluation = evaluate(collection.signals, undefined, thresholds);
      if (options.json === true) {
        printJson(io, {
          signals: collection.signals,
          quality: collection.quality,
          status: collection.status,
          log_patterns: logs.patterns,
          logs: {
            source: logs.source,
            window: logs.window,
            lines_scanned: logs.lines_scanned,
            errors: logs.errors,
          },
          evaluation,
          services: serviceHealth(collection.signals, evaluation, thresholds),
          bottleneck: classifyBottleneck(collection.signals, evaluation, thresholds),
        });
        return;
      }
      io.out(renderSignals(collection));
      io.out(renderLogs(logs));
      io.out(
        `\nstate (one evaluation, no history): ${evaluation.health_state}, band ${evaluation.scale_band}` +
          `${evaluation.fired_gates.length > 0 ? `, fired ${evaluation.fired_gates.join(', ')}` : ''}\n`,
      );
      for (const r of evaluation.reasons) io.out(`  ${r}\n`);
    });
}

async function collectOnce(config: HeadwayConfig, url: string | undefined): Promise<Collection> {
  const client = prometheusClientFor(config, { url });
  const collection = await collectSignals(client, collectOptionsFor(config));
  if (!collection.quality.prometheus_ok) {
    const why = collection.quality.failed[0]?.error ?? 'no answer';
    throw new HeadwayError(
      ErrorCode.PrometheusUnreachable,
      `Prometheus at ${prometheusUrlFor(config, url)} did not answer: ${why}`,
      {
        hint: 'start the local stack with `headway up`, or pass --prometheus URL (or set HEADWAY_PROMETHEUS_URL)',
      },
    );
  }
  return collection;
}

function renderSignals(c: Collection): string {
  const q = c.quality;
  const lines: string[] = [];
  lines.push(
    `collected ${q.collected_at} in ${q.duration_ms} ms: ${q.queries} queries, naming ${q.naming ?? 'unknown'}, ` +
      `target ${q.target_up === true ? 'up' : q.target_up === false ? 'DOWN' : 'not found'}, ` +
      `last scrape ${q.scrape_age_s === null ? '?' : `${q.scrape_age_s.toFixed(1)} s`} ago\n`,
  );
  if (q.targets !== undefined) {
    const by = new Map<string, string[]>();
    for (const t of q.targets)
      by.set(t.service, [...(by.get(t.service) ?? []), t.up ? t.instance : `${t.instance} DOWN`]);
    lines.push(`targets: ${[...by].map(([s, xs]) => `${s} [${xs.join(', ')}]`).join('; ')}\n`);
  }
  const groups: [string, SignalDef[]][] = [
    ['Primary signals (decide the state)', SIGNALS.filter((s) => s.group === 'primary')],
    [
      'Amplifiers (explain why)',
      SIGNALS.filter((s) => s.group === 'amplifier' && s.source !== 'logs'),
    ],
    ['Worker signals (classify the bottleneck)', SIGNALS.filter((s) => s.group === 'worker')],
  ];
  for (const [title, defs] of groups) {
    lines.push(`\n${title}\n`);
    lines.push(
      formatTable(
        ['ref', 'signal', 'value', 'unit', 'status'],
        defs.map((d) => {
          const field = fieldOf(d);
          const value = readValue(c.signals, field);
          const status = c.status[field] ?? '';
          return [
            d.ref,
            field.replace(/^[a-z_]+\./, ''),
            value === null ? '—' : formatValue(value),
            d.unit,
            status === 'ok' || status === 'derived' ? '' : status,
          ];
        }),
      ),
    );
  }
  const missing = q.failed.length + q.absent.length;
  lines.push(
    `\n${q.absent.length} absent, ${q.no_data.length} without samples in the window, ` +
      `${q.not_exported.length} not exported by any Temporal server, ${q.failed.length} failed` +
      `${missing > 0 ? ' (see --json for each)' : ''}\n`,
  );
  for (const f of q.failed.slice(0, 5)) lines.push(`  failed ${f.field}: ${f.error}\n`);
  return lines.join('');
}

/** Loki when configured, else the local stack's monitored server log. */
function renderLogs(logs: LogCollection): string {
  const lines = [
    `\nNarrative log patterns (${logs.source}, ${logs.lines_scanned} lines scanned since ${logs.window.start})\n`,
  ];
  if (logs.patterns.length === 0) lines.push('  none\n');
  else {
    lines.push(
      formatTable(
        ['count', 'pattern', 'service', 'sample'],
        logs.patterns.map((p) => [
          String(p.count),
          p.pattern,
          p.service,
          p.sample_message.slice(0, 80),
        ]),
      ),
    );
  }
  for (const e of logs.errors) lines.push(`  note: ${e}\n`);
  return lines.join('');
}

function readValue(signals: Signals, field: string): number | null {
  let node: unknown = signals;
  for (const key of field.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  return typeof node === 'number' ? node : null;
}

function formatValue(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return Number(x.toPrecision(3)).toString();
}
