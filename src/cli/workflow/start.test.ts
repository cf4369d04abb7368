import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../config/load.js';
import { HeadwayError } from '../../errors.js';

import { checkedSampleArgs, sampleArgs, startCommand } from './start.js';

describe('sampleArgs', () => {
  const { config } = loadConfig({ env: { HOME: '/nonexistent' }, cwd: '/nonexistent' });
  const defaults = {
    startToCloseTimeoutMs: 600_000,
    scheduleToCloseTimeoutMs: 1_800_000,
    heartbeatTimeoutMs: 60_000,
    retry: {
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 60_000,
      maximumAttempts: 3,
    },
  };

  it('adds the configured activity timeouts and retry policy to a sample input', () => {
    expect(sampleArgs('workLoop', [{ step: 'pass' }], config)).toEqual([
      { step: 'pass', activity: defaults },
    ]);
    // No argument: the sample's own defaults, plus the configured activity options.
    expect(sampleArgs('longRunning', [], config)).toEqual([{ activity: defaults }]);
  });

  it('leaves explicit activity options, other workflow types and odd inputs alone', () => {
    const own = { step: 'pass', activity: { startToCloseTimeoutMs: 5 } };
    expect(sampleArgs('workLoop', [own], config)).toEqual([own]);
    expect(sampleArgs('someoneElsesWorkflow', [{ a: 1 }], config)).toEqual([{ a: 1 }]);
    expect(sampleArgs('workLoop', ['text'], config)).toEqual(['text']);
    expect(sampleArgs('workLoop', [{}, {}], config)).toEqual([{}, {}]);
  });
});

describe('checkedSampleArgs', () => {
  const { config } = loadConfig({ env: { HOME: '/nonexistent' }, cwd: '/nonexistent' });
  const refusal = (type: string, args: unknown[]): HeadwayError => {
    try {
      checkedSampleArgs(type, sampleArgs(type, args, config));
    } catch (err) {
      if (err instanceof HeadwayError) return err;
      throw err;
    }
    throw new Error(`${type} ${JSON.stringify(args)} was not refused`);
  };

  it('refuses a sample input the sample would fail on, before anything starts', () => {
    const missing = refusal('pipeline', [{}]);
    expect(missing.code).toBe('USAGE');
    expect(missing.message).toBe('invalid input for the pipeline sample');
    expect(missing.details.join('\n')).toMatch(/^issue: /);
    expect(refusal('workLoop', [{ step: 'pass', bogus: 1 }]).details.join('\n')).toMatch(/bogus/);
    expect(refusal('workLoop', ['text']).details.join('\n')).toMatch(/^\(input\): /);
    expect(refusal('workLoop', [{}, {}]).details).toEqual([
      'the samples take one object, not 2 arguments',
    ]);
  });

  it('passes a good sample input and any other type as they are', () => {
    const args = sampleArgs('workLoop', [{ step: 'pass' }], config);
    expect(checkedSampleArgs('workLoop', args)).toBe(args);
    expect(checkedSampleArgs('someoneElsesWorkflow', [{}, 'x'])).toEqual([{}, 'x']);
  });

  it('passes every example the docs and the help give', () => {
    let help = '';
    startCommand({ out: () => undefined, err: () => undefined })
      .configureOutput({ writeOut: (s) => (help += s) })
      .outputHelp();
    const text = ['docs/samples.md', 'README.md'].map((f) => readFileSync(f, 'utf8')).join('\n');
    const examples = [...`${text}\n${help}`.matchAll(/headway workflow start (\w+) '([^']*)'/g)];
    expect(examples.length).toBeGreaterThan(5);
    for (const [, type, json] of examples) {
      expect(() =>
        checkedSampleArgs(type!, sampleArgs(type!, [JSON.parse(json!) as unknown], config)),
      ).not.toThrow();
    }
  });
});
