import { join } from 'node:path';

import { onTestFinished } from 'vitest';

import { describeStoreSuite } from '../../test/helpers/store-suite.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';

import { createPgliteDriver, MEMORY } from './driver.js';

// The store's behaviour lives in the shared suite, so PGlite here and a real PostgreSQL in
// test/integration/store-postgres.test.ts are held to the same tests.
describeStoreSuite('real PGlite', {
  fresh: () => createPgliteDriver(MEMORY),
  durable: () => {
    const dir = makeTempDir('headway-store-');
    onTestFinished(dir.remove);
    return Promise.resolve(() => createPgliteDriver(join(dir.path, 'store')));
  },
});
