import { describe, expect, it } from 'vitest';

import { readTargets } from './targets.js';

const sample = (metric: Record<string, string>, value: number) => ({ metric, value, timestamp: 0 });

describe('scrape targets from up{selector}', () => {
  it('names each target by its service and instance labels, and says whether all are up', () => {
    const r = readTargets({
      ok: true,
      ms: 1,
      samples: [
        sample({ temporal_service: 'matching', temporal_instance: 'matching-1' }, 0),
        sample({ temporal_service: 'history', temporal_instance: 'history-0' }, 1),
      ],
    });
    expect(r.up).toBe(false);
    expect(r.anyUp).toBe(true);
    expect(r.targets).toEqual([
      { service: 'history', instance: 'history-0', up: true },
      { service: 'matching', instance: 'matching-1', up: false },
    ]);
  });

  it('a single dev server (no service label) has no per-target view', () => {
    const r = readTargets({
      ok: true,
      ms: 1,
      samples: [sample({ instance: '127.0.0.1:9000' }, 1)],
    });
    expect(r).toEqual({ up: true, anyUp: true, targets: undefined });
  });

  it('treats label values as untrusted: control characters replaced, length bounded', () => {
    const r = readTargets({
      ok: true,
      ms: 1,
      samples: [sample({ temporal_service: `hist\u001b[31mory${'x'.repeat(200)}`, pod: 'p' }, 1)],
    });
    const t = r.targets?.[0];
    expect(t?.service.includes('\u001b')).toBe(false);
    expect(t?.service.length).toBeLessThanOrEqual(64);
    expect(t?.instance).toBe('p');
  });

  it('no answer or no series: nothing is known', () => {
    expect(readTargets(undefined)).toEqual({ up: null, anyUp: false, targets: undefined });
    expect(readTargets({ ok: true, ms: 1, samples: [] })).toEqual({
      up: null,
      anyUp: false,
      targets: undefined,
    });
  });
});
