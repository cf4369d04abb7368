import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { FieldKey } from '../../test/helpers/make-signals.js';
import { makeSignals } from '../../test/helpers/make-signals.js';
import type { SignalValue } from '../model/signals.js';

import { evaluate } from './evaluate.js';
import type { Evaluation } from './types.js';

type Values = Partial<Record<FieldKey, SignalValue>>;

/** A healthy cluster in the mid-scale band (60 st/s), evaluated until its band is settled. */
function loadedMidScale(): Evaluation {
  let prev: Evaluation | undefined;
  for (let i = 0; i < 3; i++) {
    prev = evaluate(
      makeSignals({ throughput: 60, success: 6, processing: 120, tasksAdded: 20 }),
      prev,
    );
  }
  expect(prev!.scale_band).toBe('mid-scale');
  expect(prev!.health_state).toBe('happy');
  return prev!;
}

function walk(values: Values, cycles: number): Evaluation[] {
  const out: Evaluation[] = [];
  let prev = loadedMidScale();
  for (let i = 0; i < cycles; i++) {
    prev = evaluate(makeSignals(values), prev);
    out.push(prev);
  }
  return out;
}

/** Throughput collapsed to about 1 st/s, completions stopped, history backlog up from 1 s to 20 s. */
const COLLAPSE: Values = {
  throughput: 1,
  success: 0,
  completionRate: 0,
  processing: 2,
  historyBacklog: 20,
  tasksAdded: 1,
};

describe('a throughput collapse under load is never happy', () => {
  it('is stressed on the first evaluation and critical after the usual confirmation', () => {
    const states = walk(COLLAPSE, 4).map((e) => [e.health_state, e.scale_band]);
    expect(states).toEqual([
      ['stressed', 'mid-scale'],
      ['stressed', 'mid-scale'],
      ['critical', 'mid-scale'],
      ['critical', 'mid-scale'],
    ]);
  });

  it.each([
    ['history backlog 6 s', { historyBacklog: 6 }],
    ['matching workflow backlog 10 s', { historyBacklog: 1, matchingWorkflowBacklog: 10 }],
    ['matching activity backlog 10 s', { historyBacklog: 1, matchingActivityBacklog: 10 }],
  ] as const)('holds the band with %s waiting above the idle ceiling', (_name, backlog) => {
    const [first] = walk({ ...COLLAPSE, ...backlog }, 1);
    expect(first!.scale_band).toBe('mid-scale');
    expect(first!.health_state).not.toBe('happy');
  });

  it('a real drop in demand with an empty backlog stays happy, in the lower band', () => {
    const drop = walk(
      { throughput: 1, success: 0.2, processing: 2, historyBacklog: 0, tasksAdded: 0.3 },
      3,
    );
    expect(drop.map((e) => [e.health_state, e.scale_band])).toEqual([
      ['happy', 'starter'],
      ['happy', 'starter'],
      ['happy', 'starter'],
    ]);
  });

  it('a drop with a backlog no older than an idle cluster’s (≤ 5 s) is released too', () => {
    const [first] = walk({ throughput: 1, success: 0.2, processing: 2, historyBacklog: 4 }, 1);
    expect(first!.scale_band).toBe('starter');
    expect(first!.health_state).toBe('happy');
  });

  it('property: after a loaded mid-scale band, throughput under 5 st/s with completions stopped and a backlog over the idle ceiling is never happy', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 4.9, noNaN: true }),
        fc.double({ min: 5.01, max: 59, noNaN: true }),
        (throughput, backlog) => {
          const [first] = walk({ ...COLLAPSE, throughput, historyBacklog: backlog }, 1);
          return first!.health_state !== 'happy';
        },
      ),
    );
  });

  it('property: an empty backlog with demand gone never holds the band', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 4.9, noNaN: true }), (throughput) => {
        const [first] = walk(
          {
            throughput,
            success: 0,
            completionRate: 0,
            processing: 1,
            historyBacklog: 0,
            tasksAdded: 0,
          },
          1,
        );
        return first!.scale_band === 'starter' && first!.health_state === 'happy';
      }),
    );
  });
});
