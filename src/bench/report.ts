/** `headway bench report`: a markdown report with an SVG latency/throughput chart beside it. */
import type { TimelineSecond } from '../load/generator.js';

import type { BenchResults } from './results.js';

export interface Report {
  readonly markdown: string;
  readonly svg: string;
}

export function renderReport(results: BenchResults, svgFileName: string): Report {
  const c = results.config;
  const m = results.results;
  const row = (k: string, v: string): string => `| ${k} | ${v} |`;
  const lat = (name: string, s: BenchResults['results']['latency']): string =>
    `| ${name} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.p999} | ${s.max} |`;
  const errors = Object.entries(m.errors).filter(([, n]) => n > 0);
  const markdown = [
    `# Benchmark: ${c.workflowType} at ${c.targetRate}/s`,
    '',
    `${results.passed ? '**PASSED**' : '**FAILED**'} — ${results.timestamp}, ${c.address}, namespace \`${c.namespace}\``,
    ...results.failureReasons.map((r) => `- ${r}`),
    ...results.warnings.map((w) => `- warning: ${w}`),
    '',
    `![latency and throughput](${svgFileName})`,
    '',
    '## Throughput',
    '',
    '| metric | value |',
    '| --- | --- |',
    row('intended start rate', `${m.intendedRate}/s`),
    row('achieved start rate (measured window)', `${m.achievedStartRate}/s`),
    row('completion rate (measured window)', `${m.completionRate}/s`),
    row('measured window', `${m.measuredWindowSeconds} s (after ramp-up, before drain)`),
    row('drain time', `${(m.drainTimeMs / 1_000).toFixed(2)} s`),
    row(
      'workflows intended / started / completed',
      `${m.workflowsIntended} / ${m.workflowsStarted} / ${m.workflowsCompleted}`,
    ),
    row(
      'not completed',
      errors.length === 0 ? '0' : errors.map(([t, n]) => `${t} ${n}`).join(', '),
    ),
    row(
      'state transitions/s',
      m.stateTransitionsPerSecond === null ? 'n/a' : String(m.stateTransitionsPerSecond),
    ),
    row(
      'late starts (generator)',
      `${m.generator.lateStarts} (> ${m.generator.lagToleranceMs} ms, max ${m.generator.maxLagMs} ms)`,
    ),
    '',
    '## Latency (ms, from the intended start time)',
    '',
    '| | p50 | p95 | p99 | p99.9 | max |',
    '| --- | --- | --- | --- | --- | --- |',
    lat('end-to-end', m.latency),
    lat('start', m.startLatency),
    '',
    '## Configuration',
    '',
    '| setting | value |',
    '| --- | --- |',
    row('duration / ramp-up', `${c.duration} / ${c.rampUpDuration}`),
    row('workers', String(c.workerCount) + (c.eagerStart === true ? ' (eager start)' : '')),
    row('iterations', String(c.iterations)),
    ...(c.activityCount === undefined ? [] : [row('activity count', String(c.activityCount))]),
    ...(c.timerDurationMs === undefined ? [] : [row('timer', `${c.timerDurationMs} ms`)]),
    ...(c.childCount === undefined ? [] : [row('child count', String(c.childCount))]),
    row(
      'thresholds',
      `p99 ≤ ${results.thresholds.maxP99LatencyMs} ms, throughput ≥ ${results.thresholds.minThroughput}/s`,
    ),
    '',
    '## System',
    '',
    '| | |',
    '| --- | --- |',
    row(
      'generator',
      `${results.system.generator.cpus} × ${results.system.generator.cpuModel}, ${(results.system.generator.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${results.system.generator.platform}, Node ${results.system.generator.node}`,
    ),
    row(
      'server',
      `${results.system.server.version ?? 'unknown'}, ${results.system.server.historyShards ?? '?'} history shard(s)`,
    ),
    '',
  ].join('\n');
  return { markdown, svg: renderChart(concatTimelines(results)) };
}

/** Iterations one after another on one time axis. */
function concatTimelines(results: BenchResults): TimelineSecond[] {
  const out: TimelineSecond[] = [];
  for (const it of results.iterations) {
    const offset = out.length;
    for (const s of it.timeline) out.push({ ...s, second: s.second + offset });
  }
  return out;
}

const W = 800;
const H = 360;
const PAD = { left: 56, right: 64, top: 28, bottom: 40 };

/** A two-axis line chart: rates per second on the left, end-to-end p99 on the right. */
export function renderChart(timeline: readonly TimelineSecond[]): string {
  const n = Math.max(1, timeline.length);
  const maxRate = niceMax(
    Math.max(1, ...timeline.flatMap((s) => [s.intended, s.started, s.completed])),
  );
  const maxLat = niceMax(Math.max(1, ...timeline.map((s) => s.p99Ms)));
  const x = (i: number): number => PAD.left + ((W - PAD.left - PAD.right) * i) / Math.max(1, n - 1);
  const y = (v: number, max: number): number =>
    H - PAD.bottom - ((H - PAD.top - PAD.bottom) * v) / max;
  const line = (values: number[], max: number, color: string, dash = ''): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.5"${dash === '' ? '' : ` stroke-dasharray="${dash}"`} points="${values
      .map((v, i) => `${x(i).toFixed(1)},${y(v, max).toFixed(1)}`)
      .join(' ')}"/>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    ...ticks.map(
      (t) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t * maxRate, maxRate)}" y2="${y(t * maxRate, maxRate)}" stroke="#eee"/>` +
        `<text x="${PAD.left - 6}" y="${y(t * maxRate, maxRate) + 4}" text-anchor="end">${fmt(t * maxRate)}</text>` +
        `<text x="${W - PAD.right + 6}" y="${y(t * maxLat, maxLat) + 4}">${fmt(t * maxLat)}</text>`,
    ),
    `<text x="${PAD.left}" y="16">workflows/s</text>`,
    `<text x="${W - PAD.right}" y="16">p99 ms</text>`,
    `<text x="${(W / 2).toFixed(0)}" y="${H - 8}" text-anchor="middle">seconds</text>`,
    line(
      timeline.map((s) => s.intended),
      maxRate,
      '#999',
      '4 3',
    ),
    line(
      timeline.map((s) => s.started),
      maxRate,
      '#1f77b4',
    ),
    line(
      timeline.map((s) => s.completed),
      maxRate,
      '#2ca02c',
    ),
    line(
      timeline.map((s) => s.p99Ms),
      maxLat,
      '#d62728',
    ),
    `<g transform="translate(${PAD.left + 10},${PAD.top + 4})">`,
    legend(0, '#999', 'intended starts/s'),
    legend(1, '#1f77b4', 'accepted starts/s'),
    legend(2, '#2ca02c', 'completions/s'),
    legend(3, '#d62728', 'end-to-end p99 (ms)'),
    '</g>',
    `<text x="${PAD.left}" y="${H - 24}">0</text><text x="${W - PAD.right}" y="${H - 24}" text-anchor="end">${n - 1}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function legend(i: number, color: string, label: string): string {
  return `<line x1="0" x2="16" y1="${i * 14}" y2="${i * 14}" stroke="${color}" stroke-width="2"/><text x="20" y="${i * 14 + 4}">${label}</text>`;
}

function niceMax(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= v) return m * mag;
  return 10 * mag;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : Number(v.toFixed(1)).toString();
}
