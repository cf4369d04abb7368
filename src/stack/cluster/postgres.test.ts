import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { makeTempDir } from '../../../test/helpers/temp-dir.js';
import { ClusterSectionSchema } from '../../config/cluster.js';
import { stateLayout } from '../state.js';

import { postgresTarget } from './postgres.js';

describe('postgresTarget', () => {
  it('a probe (create: false) leaves a state dir that never started untouched', () => {
    const dir = makeTempDir('headway-pg-target-');
    try {
      const layout = stateLayout(dir.path);
      const cluster = ClusterSectionSchema.parse({});
      const probe = postgresTarget(cluster, layout, { create: false });
      expect(probe.managed).toBe(true);
      expect(existsSync(join(dir.path, 'postgres'))).toBe(false);
      // `up` creates the password once, readable only by its owner, and reads it back after.
      const first = postgresTarget(cluster, layout);
      expect(first.password.length).toBeGreaterThan(16);
      expect(postgresTarget(cluster, layout).password).toBe(first.password);
      expect(postgresTarget(cluster, layout, { create: false }).password).toBe(first.password);
    } finally {
      dir.remove();
    }
  });
});
