import { rmSync } from 'node:fs';

import { afterEach, describe, expect, it } from 'vitest';

import { stackStartedWith } from '../../test/helpers/stack-files.js';
import { loadConfig } from '../config/load.js';
import { prometheusUrlFor } from '../signals/source.js';

import { signalsConfig } from './stack-config.js';

describe('signalsConfig: what `signals`, `record` and `bench` read Prometheus with', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  /** The command's own config, with nothing but the state dir (and `signals`) set. */
  function ownConfig(stateDir: string, signals: Record<string, unknown> = {}) {
    return loadConfig({ env: {}, flags: { state_dir: stateDir, signals } }).config;
  }
  /** `up --prometheus-port 19191 --profile cluster`, still running or crashed. */
  function started(supervisor: 'running' | 'crashed' = 'running'): string {
    const dir = stackStartedWith(
      { stack: { profile: 'cluster', prometheus: { port: 19191 } } },
      supervisor,
    );
    dirs.push(dir);
    return dir;
  }

  it('reads the running stack as its copilot does: its Prometheus port and its profile', () => {
    const config = signalsConfig(ownConfig(started()));
    expect(prometheusUrlFor(config)).toBe('http://127.0.0.1:19191');
    expect(config.stack.profile).toBe('cluster');
  });

  it('keeps the command’s own config when it, or --prometheus, names a Prometheus', () => {
    const dir = started();
    const named = ownConfig(dir, { prometheus_url: 'http://prom.example:9090' });
    expect(prometheusUrlFor(signalsConfig(named))).toBe('http://prom.example:9090');
    const own = ownConfig(dir);
    expect(signalsConfig(own, 'http://other:9090')).toBe(own);
  });

  it('keeps the command’s own config when the stack crashed (its ports mean nothing now)', () => {
    const own = ownConfig(started('crashed'));
    expect(prometheusUrlFor(signalsConfig(own))).toBe('http://127.0.0.1:9090');
  });
});
