/**
 * Judges a recorded trajectory against a scenario's expectations. Pure: the same observations and
 * phase marks always give the same verdict, so recorded runs can be re-judged and unit-tested.
 */
import {
  PHASES,
  type Check,
  type EventuallyExpectation,
  type Expectation,
  type ExpectationResult,
  type Observation,
  type Phase,
  type PhaseMark,
} from './types.js';

export interface PhaseWindow {
  readonly phase: Phase;
  readonly start_ms: number;
  /** Exclusive; the end of the run for the last phase. */
  readonly end_ms: number;
}

/** The phases that happened, each from its mark to the next one (or the end of the run). */
export function phaseWindows(marks: readonly PhaseMark[], endMs: number): PhaseWindow[] {
  const sorted = [...marks].sort((a, b) => a.start_ms - b.start_ms);
  return sorted.map((m, i) => ({
    phase: m.phase,
    start_ms: m.start_ms,
    end_ms: sorted[i + 1]?.start_ms ?? endMs,
  }));
}

/** Whether one observation meets one check. An unanswered poll meets nothing. */
export function meets(check: Check, o: Observation): boolean {
  if (o.health_state === null) return false;
  switch (check.type) {
    case 'state':
      return check.states.includes(o.health_state);
    case 'bottleneck':
      return o.bottleneck !== null && check.values.includes(o.bottleneck);
    case 'service': {
      const status = o.services[check.service];
      return status !== undefined && check.statuses.includes(status);
    }
    case 'signal': {
      const x = o.signals[check.field];
      if (x === undefined || x === null) return false;
      switch (check.op) {
        case '>':
          return x > check.value;
        case '<':
          return x < check.value;
        case '>=':
          return x >= check.value;
        case '<=':
          return x <= check.value;
      }
      return false;
    }
    case 'reason': {
      const re = new RegExp(check.pattern, 'i');
      return o.reasons.some((r) => re.test(r));
    }
    case 'names': {
      const re = new RegExp(check.pattern, 'i');
      return (o.summary !== null && re.test(o.summary)) || o.issues.some((i) => re.test(i));
    }
    case 'gate':
      return o.fired_gates.some((g) => check.gates.includes(g));
  }
}

/** What the check means, for details in the report. */
export function describeCheck(check: Check): string {
  switch (check.type) {
    case 'state':
      return `state ${check.states.join('|')}`;
    case 'bottleneck':
      return `bottleneck ${check.values.join('|')}`;
    case 'service':
      return `service ${check.service} ${check.statuses.join('|')}`;
    case 'signal':
      return (
        `${check.field.replace(/^primary_signals\./, '')} ${check.op} ${check.value}` +
        (check.sincePhaseStart === true ? ' above its value when the phase began' : '')
      );
    case 'reason':
      return `reason /${check.pattern}/`;
    case 'names':
      return `summary or issues /${check.pattern}/`;
    case 'gate':
      return `gate ${check.gates.join('|')} fired`;
  }
}

/** What an observation showed, in the terms of the check (for failure details). */
function shown(check: Check, o: Observation): string {
  switch (check.type) {
    case 'state':
      return o.health_state ?? 'no answer';
    case 'bottleneck':
      return `bottleneck ${o.bottleneck ?? 'none'}`;
    case 'service':
      return `${check.service} ${o.services[check.service] ?? 'absent'}`;
    case 'signal': {
      const x = o.signals[check.field];
      return x === undefined || x === null ? 'absent' : String(Number(x.toPrecision(3)));
    }
    case 'reason':
      return o.reasons[0] ?? 'no reason';
    case 'names':
      return o.issues.length > 0 ? o.issues.slice(0, 2).join('; ') : (o.summary ?? 'no summary');
    case 'gate':
      return o.fired_gates.length === 0 ? 'no gate fired' : o.fired_gates.join(', ');
  }
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

function inPhase(observations: readonly Observation[], w: PhaseWindow): Observation[] {
  return observations.filter((o) => o.t_ms >= w.start_ms && o.t_ms < w.end_ms);
}

function judge(
  e: Expectation,
  observations: readonly Observation[],
  windows: readonly PhaseWindow[],
): ExpectationResult {
  const base = { id: e.id, description: e.description };
  if (e.not_checked !== undefined) {
    return { ...base, status: 'not_checked', detail: e.not_checked, at_s: null };
  }
  if (e.mode === 'always') {
    const grace = (e.grace_s ?? 0) * 1_000;
    const judged: { o: Observation; w: PhaseWindow }[] = [];
    for (const w of windows.filter((x) => e.phases.includes(x.phase))) {
      const answered = inPhase(observations, w).filter(
        (o) => o.health_state !== null && o.t_ms >= w.start_ms + grace,
      );
      const from = e.since === undefined ? 0 : answered.findIndex((o) => meets(e.since!, o));
      if (from === -1) {
        return {
          ...base,
          status: 'fail',
          detail: `${describeCheck(e.since!)} never observed in ${w.phase}, so the check never began`,
          at_s: null,
        };
      }
      for (const o of answered.slice(from)) judged.push({ o, w });
    }
    if (judged.length === 0) {
      return {
        ...base,
        status: 'fail',
        detail: `no answered observation in ${e.phases.join(', ')} to judge`,
        at_s: null,
      };
    }
    const bad = judged.filter(({ o }) => !meets(e.check, o));
    if (bad.length === 0) {
      return {
        ...base,
        status: 'pass',
        detail:
          `all ${judged.length} observations` +
          (e.since === undefined ? '' : ` since ${describeCheck(e.since)}`) +
          ` met ${describeCheck(e.check)}`,
        at_s: null,
      };
    }
    const first = bad[0]!;
    return {
      ...base,
      status: 'fail',
      detail:
        `${bad.length} of ${judged.length} observations missed ${describeCheck(e.check)}; first at ` +
        `+${seconds(first.o.t_ms - first.w.start_ms)} s into ${first.w.phase}: ${shown(e.check, first.o)}` +
        (first.o.reasons.length > 0 ? ` (${first.o.reasons.slice(0, 2).join('; ')})` : ''),
      at_s: null,
    };
  }
  return judgeEventually(e, observations, windows);
}

function judgeEventually(
  e: EventuallyExpectation,
  observations: readonly Observation[],
  windows: readonly PhaseWindow[],
): ExpectationResult {
  const base = { id: e.id, description: e.description };
  const w = windows.find((x) => x.phase === e.phase);
  if (w === undefined) {
    return { ...base, status: 'fail', detail: `the ${e.phase} phase never began`, at_s: null };
  }
  const deadline = w.start_ms + e.within_s * 1_000;
  const moved = fromPhaseStart(e.check, observations, w);
  if (moved !== e.check) {
    const r = judgeEventually({ ...e, check: moved }, observations, windows);
    return r.status === 'pass'
      ? r
      : { ...r, detail: `${r.detail} (needs ${describeCheck(moved)})` };
  }
  const phase = inPhase(observations, w);
  const candidates = phase.filter((o) => o.t_ms <= deadline);
  const holdMs = (e.hold_s ?? 0) * 1_000;
  // Whether the check keeps holding from `o` for hold_s, seen to the end of the hold.
  const holds = (o: Observation): boolean => {
    if (holdMs === 0) return true;
    const answered = phase.filter((x) => x.health_state !== null && x.t_ms >= o.t_ms);
    const within = answered.filter((x) => x.t_ms <= o.t_ms + holdMs);
    const seenToEnd = answered.some((x) => x.t_ms >= o.t_ms + holdMs);
    return seenToEnd && within.every((x) => meets(e.check, x));
  };
  let seenAfter = e.after === undefined;
  let hitBeforeAfter: Observation | undefined;
  let flickered: Observation | undefined;
  for (const o of candidates) {
    if (meets(e.check, o)) {
      if (seenAfter && holds(o)) {
        const at = seconds(o.t_ms - w.start_ms);
        return {
          ...base,
          status: 'pass',
          detail:
            `${describeCheck(e.check)} at +${at} s` +
            (holdMs === 0 ? '' : `, held ${e.hold_s} s`) +
            ` (limit ${e.within_s} s)`,
          at_s: at,
        };
      }
      if (seenAfter) flickered ??= o;
      else hitBeforeAfter ??= o;
    }
    if (!seenAfter && e.after !== undefined && meets(e.after, o)) seenAfter = true;
  }
  const last = candidates.at(-1);
  let detail: string;
  if (flickered !== undefined) {
    detail = `${describeCheck(e.check)} first at +${seconds(flickered.t_ms - w.start_ms)} s but never held ${e.hold_s} s within ${e.within_s} s`;
  } else if (hitBeforeAfter !== undefined && e.after !== undefined) {
    detail = `${describeCheck(e.check)} at +${seconds(hitBeforeAfter.t_ms - w.start_ms)} s without ${describeCheck(e.after)} first`;
  } else if (w.end_ms < deadline && candidates.length > 0 && last!.t_ms < w.end_ms) {
    detail = `not met before the ${e.phase} phase ended at +${seconds(w.end_ms - w.start_ms)} s (limit ${e.within_s} s); last: ${shown(e.check, last!)}`;
  } else {
    detail = `not met within ${e.within_s} s; last: ${last === undefined ? 'no observation' : shown(e.check, last)}`;
  }
  return { ...base, status: 'fail', detail, at_s: null };
}

/**
 * A signal check judged against the change since the phase began becomes a plain check with its
 * value moved by the last answered reading before the phase (none: nothing to move by).
 */
function fromPhaseStart(check: Check, observations: readonly Observation[], w: PhaseWindow): Check {
  if (check.type !== 'signal' || check.sincePhaseStart !== true) return check;
  const before = observations
    .filter((o) => o.t_ms < w.start_ms && o.health_state !== null)
    .map((o) => o.signals[check.field])
    .filter((x): x is number => typeof x === 'number')
    .at(-1);
  const { type, field, op } = check;
  return { type, field, op, value: check.value + (before ?? 0) };
}

/** Judges every expectation; `endMs` closes the last phase. */
export function judgeExpectations(
  expectations: readonly Expectation[],
  observations: readonly Observation[],
  marks: readonly PhaseMark[],
  endMs: number,
): ExpectationResult[] {
  const windows = phaseWindows(marks, endMs);
  return expectations.map((e) => judge(e, observations, windows));
}

/** Seconds from the start of the phase to the expectation marked as measuring it; null if unmet. */
export function measuredTime(
  measure: 'detection' | 'recovery',
  expectations: readonly Expectation[],
  results: readonly ExpectationResult[],
): number | null {
  const e = expectations.find(
    (x) => x.mode === 'eventually' && x.measures === measure && x.not_checked === undefined,
  );
  if (e === undefined) return null;
  return results.find((r) => r.id === e.id)?.at_s ?? null;
}

/**
 * Whether every checked `eventually` expectation of `phase` is met so far: the runner ends a phase
 * early once there is nothing left to wait for.
 */
export function phaseSatisfied(
  phase: Phase,
  expectations: readonly Expectation[],
  observations: readonly Observation[],
  marks: readonly PhaseMark[],
  nowMs: number,
): boolean {
  const pending = expectations.filter(
    (e): e is EventuallyExpectation =>
      e.mode === 'eventually' && e.phase === phase && e.not_checked === undefined,
  );
  const windows = phaseWindows(marks, nowMs + 1);
  return pending.every((e) => judgeEventually(e, observations, windows).status === 'pass');
}

/**
 * The observed trajectory in one line per phase: the state at the phase start and every change
 * with its time into the phase, e.g. `fault: happy → stressed +12s → critical +58s`.
 */
export function trajectoryText(
  observations: readonly Observation[],
  marks: readonly PhaseMark[],
  endMs: number,
): string {
  const parts: string[] = [];
  for (const w of phaseWindows(marks, endMs)) {
    if (w.phase === 'warmup') continue;
    const answered = inPhase(observations, w).filter((o) => o.health_state !== null);
    if (answered.length === 0) {
      parts.push(`${w.phase}: no answer`);
      continue;
    }
    const steps: string[] = [answered[0]!.health_state!];
    let current = answered[0]!.health_state;
    for (const o of answered.slice(1)) {
      if (o.health_state !== current) {
        current = o.health_state;
        steps.push(`${current} +${Math.round((o.t_ms - w.start_ms) / 1_000)}s`);
      }
    }
    parts.push(`${w.phase}: ${steps.join(' → ')}`);
  }
  return parts.join('; ');
}

/** Phase order check for recorded marks (a run's marks are always in PHASES order). */
export function phasesInOrder(marks: readonly PhaseMark[]): boolean {
  const order = marks.map((m) => PHASES.indexOf(m.phase));
  return order.every((x, i) => i === 0 || x > order[i - 1]!);
}
