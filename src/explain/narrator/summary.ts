import type { ServiceHealth } from '../../health/service-health.js';
import type { RecommendedAction } from '../../model/records.js';
import { FIELD } from '../../model/signal-fields.js';

import type { Context } from './context.js';
import { signalLabel } from './fields.js';
import type { Finding } from './finding.js';
import { GATE_STORIES } from './gate-stories.js';
import { DISPLAY_NAME, clauseOf, happyClause, workerClause } from './services.js';
import { capitalize, listOf, lowerFirst, num, pct, stripSee } from './text.js';
import type { UnknownReason } from './unknown.js';

/** The summary: at most six sentences, the state first, then the actors, the cause and the trend. */
export function summaryOf(
  c: Context,
  findings: readonly Finding[],
  unknown: readonly UnknownReason[],
  actions: readonly RecommendedAction[],
): string {
  const { evaluation, v, state } = c;
  const band = `${evaluation.scale_band} band`;
  const byName = new Map(c.services.map((s) => [s.name, s]));
  const server = (['history', 'matching', 'frontend', 'persistence'] as const)
    .map((n) => byName.get(n))
    .filter((s): s is ServiceHealth => s !== undefined);
  const workers = byName.get('workers');
  const sentences: string[] = [];

  if (state === 'unknown') {
    sentences.push(
      `Health is unknown: Headway cannot judge forward progress because ${listOf(unknown.map((u) => u.text))}.`,
    );
    sentences.push(
      'Without data a stopped cluster and an idle one look the same, so this is neither good news nor an alarm.',
    );
    sentences.push(
      `History, matching, the frontend and persistence cannot be observed until the data returns; ${workers === undefined ? 'workers are not visible either' : workerClause(c)}.`,
    );
    const first = actions[0];
    if (first !== undefined)
      sentences.push(`First restore the data: ${lowerFirst(stripSee(first.description))}.`);
    return sentences.join(' ');
  }

  if (state === 'happy') {
    if (evaluation.is_idle) {
      sentences.push(
        `Cluster is happy and idle (${band}): no demand, no work waiting and nothing failing.`,
      );
      sentences.push(
        'History, matching, the frontend and persistence have nothing to do, so low throughput here is rest, not a stall.',
      );
      sentences.push(
        `${capitalize(workers === undefined ? 'workers are not visible' : workerClause(c))}.`,
      );
      return sentences.join(' ');
    }
    const st = v(FIELD.throughput) ?? 0;
    const rate = v(FIELD.completionRate);
    if (evaluation.is_system_busy) {
      sentences.push(
        `Cluster is happy (${band}) and busy with retention: history deletes ${num(v(FIELD.deletion) ?? 0)} closed workflows/s while workflow demand is low (${num(st)} state transitions/s), so the low throughput is housekeeping, not a stall.`,
      );
    } else {
      sentences.push(
        `Cluster is happy (${band}): workflows make forward progress at ${num(st)} state transitions/s${rate === null ? '' : ` and ${pct(rate)} of finishing workflows succeed`}.`,
      );
    }
    sentences.push(`${capitalize(listOf(server.map((s) => happyClause(c, s))))}.`);
    // The state judges the server; the worker side is outside it, so a worker limit can be named
    // in a happy summary without contradicting the state.
    if (findings.some((f) => f.key === 'worker_limited')) {
      sentences.push(
        `Workers set the pace: ${workerClause(c).replace(/^workers /, 'they ')}, so tasks queue in matching while the server keeps up.`,
      );
    } else if (workers !== undefined) {
      sentences.push(`${capitalize(workerClause(c))}.`);
    }
    const other = findings.find((f) => f.key === 'no_pollers' || f.key === 'matching_waiting');
    if (other?.cause != null) sentences.push(`On the worker side, ${other.cause.text}.`);
    const improving = c.trends.filter((x) => x.trend === 'improving');
    const worsening = c.trends.filter((x) => x.trend === 'worsening');
    if (worsening.length > 0) {
      sentences.push(
        `Over the last ${c.window} observations ${listOf(worsening.map((x) => signalLabel(x.signal)))} ${worsening.length === 1 ? 'has' : 'have'} been rising, still within limits.`,
      );
    } else if (improving.length > 0) {
      sentences.push(
        `Over the last ${c.window} observations ${listOf(improving.map((x) => signalLabel(x.signal)))} ${improving.length === 1 ? 'has' : 'have'} been improving.`,
      );
    }
    return sentences.slice(0, 6).join(' ');
  }

  // Stressed or critical.
  const subjects: string[] = [];
  const problems: string[] = [];
  for (const g of c.fired) {
    const story = GATE_STORIES[g.id];
    const subject = story?.subject ?? g.id;
    if (subjects.includes(subject)) continue;
    subjects.push(subject);
    problems.push(story?.problem ?? `${g.id} fired`);
  }
  const pending =
    state === 'stressed' && c.fired.some((g) => g.kind === 'critical')
      ? ` (critical evaluation ${evaluation.consecutive_critical} of ${c.thresholds.rules.consecutive_critical}, stressed until confirmed)`
      : '';
  const between = findings.find((f) => f.key === 'between' || f.key === 'recovering');
  const headline =
    problems.length > 0
      ? listOf(problems)
      : between?.key === 'recovering'
        ? 'recovering from critical, still near the critical thresholds'
        : between !== undefined
          ? `between thresholds: ${lowerFirst(between.description.replace(/^No gate fires, but not every healthy gate passes: /, '').replace(/\.$/, ''))}`
          : (evaluation.reasons[0] ?? 'the rules found the cluster under pressure');
  sentences.push(`Cluster is ${state} (${band}): ${headline}${pending}.`);

  const troubled = c.services
    .filter((s) => s.status === 'critical' || s.status === 'stressed')
    .sort((a, b) => (a.status === b.status ? 0 : a.status === 'critical' ? -1 : 1));
  const fine = c.services.filter((s) => s.status === 'happy');
  const unseen = c.services.filter((s) => s.status === 'unknown');
  if (troubled.length > 0) {
    sentences.push(`${capitalize(troubled.map((s) => clauseOf(c, s)).join('; '))}.`);
  }
  const rest: string[] = [];
  if (fine.length > 0) {
    rest.push(
      `${capitalize(listOf(fine.map((s) => DISPLAY_NAME[s.name] ?? s.name)))} ${fine.length === 1 ? 'is' : 'are'} doing ${fine.length === 1 ? 'its' : 'their'} part normally`,
    );
  }
  for (const s of unseen) rest.push(clauseOf(c, s));
  if (rest.length > 0) sentences.push(`${capitalize(rest.join('; '))}.`);

  const top = findings.find((f) => f.cause !== null);
  if (top?.cause != null) {
    sentences.push(`Likely cause: ${top.cause.text}.`);
  } else if (between?.key === 'recovering') {
    sentences.push(
      'Nothing fails a gate now; the state stays stressed until the cluster is clear of the critical thresholds.',
    );
  } else {
    sentences.push(
      'Nothing fails a gate: the cluster makes progress, only below the healthy level, and the state waits for it to recover or to cross a limit.',
    );
  }
  const worsening = c.trends.filter((x) => x.trend === 'worsening');
  const improving = c.trends.filter((x) => x.trend === 'improving');
  if (worsening.length > 0) {
    sentences.push(
      `Over the last ${c.window} observations ${listOf(worsening.map((x) => signalLabel(x.signal)))} ${worsening.length === 1 ? 'is' : 'are'} getting worse.`,
    );
  } else if (improving.length > 0) {
    sentences.push(
      `Over the last ${c.window} observations ${listOf(improving.map((x) => signalLabel(x.signal)))} ${improving.length === 1 ? 'is' : 'are'} improving.`,
    );
  }
  return sentences.slice(0, 6).join(' ');
}
