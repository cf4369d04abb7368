import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import type { HeadwayConfig } from '../config/schema.js';
import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import {
  DEFAULT_THRESHOLDS,
  ThresholdOverridesSchema,
  classifyBottleneck,
  evaluate,
  resolveThresholds,
  serviceHealth,
  type Evaluation,
  type PreviousEvaluation,
  type ResolvedThresholds,
  type Signals,
} from '../health/index.js';
import { collectSignals, type Collection } from '../signals/collect.js';
import type { LogCollection } from '../signals/log-patterns.js';
import { SIGNALS, fieldOf, type SignalDef } from '../signals/registry.js';
import {
  collectOptionsFor,
  logSourceFor,
  prometheusClientFor,
  prometheusUrlFor,
} from '../signals/source.js';

import { loadCommandConfig, withCommonOptions, type CommonOptions } from './common.js';
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
      const { config } = loadCommandConfig(options);
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

function thresholdsFrom(overrides: unknown, source = 'signals.thresholds'): ResolvedThresholds {
  const parsed = ThresholdOverridesSchema.safeParse(overrides ?? {});
  if (!parsed.success) {
    throw new HeadwayError(ErrorCode.ConfigInvalid, `invalid threshold overrides in ${source}`, {
      details: z.prettifyError(parsed.error).split('\n'),
    });
  }
  const resolved = resolveThresholds(parsed.data);
  if (Array.isArray(resolved)) {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `threshold overrides in ${source} break the state machine's ordering`,
      {
        details: resolved,
        hint: 'critical floors must stay below healthy levels, and backlog limits must rise healthy < stressed < critical',
      },
    );
  }
  return resolved;
}

interface ReplayOptions {
  json?: boolean;
  thresholds?: string;
}

const TraceLineSchema = z.looseObject({
  timestamp: z.string().min(1),
  primary_signals: z.record(z.string(), z.unknown()),
  amplifiers: z.record(z.string(), z.unknown()).optional(),
  worker_signals: z.record(z.string(), z.unknown()).nullable().optional(),
});

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
      const entries = await readTrace(trace);
      let previous: PreviousEvaluation | undefined;
      const rows: string[][] = [];
      for (const signals of entries) {
        const e: Evaluation = evaluate(signals, previous, thresholds);
        previous = e;
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

function thresholdsFromFile(file: string): ResolvedThresholds {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HeadwayError(ErrorCode.ConfigFileUnreadable, `cannot read thresholds file ${file}`, {
      details: [errorMessage(err)],
    });
  }
  return thresholdsFrom(raw, file);
}

/** Reads every line first, so a bad line is reported (all of them) before any output. */
async function readTrace(file: string): Promise<Signals[]> {
  const entries: Signals[] = [];
  const problems: string[] = [];
  const stream = createReadStream(file, 'utf8');
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (err) {
    throw new HeadwayError(ErrorCode.Usage, `cannot read trace ${file}`, {
      details: [errorMessage(err)],
    });
  }
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    n += 1;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      problems.push(`line ${n}: not JSON`);
      continue;
    }
    const parsed = TraceLineSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(
        `line ${n}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'line'} ${i.message}`).join('; ')}`,
      );
      continue;
    }
    entries.push(parsed.data as unknown as Signals);
  }
  if (problems.length > 0) {
    throw new HeadwayError(ErrorCode.Usage, `${file} has ${problems.length} invalid line(s)`, {
      details: problems.slice(0, 20),
      hint: 'each line must be a JSON object with "timestamp" and "primary_signals" (as `headway record` writes)',
    });
  }
  if (entries.length === 0) {
    throw new HeadwayError(ErrorCode.Usage, `${file} holds no observations`, {
      hint: 'record one with `headway record`',
    });
  }
  return entries;
}

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
      const { config } = loadCommandConfig(options);
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

export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (match === null) {
    throw new HeadwayError(ErrorCode.Usage, `${flag} ${JSON.stringify(text)} is not a duration`, {
      hint: 'use a number with ms, s, m or h, e.g. 30s or 5m',
    });
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
