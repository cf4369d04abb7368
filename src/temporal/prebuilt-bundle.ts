import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Workflow bundles built at install time (scripts/build-dist.mjs) instead of at each worker start.
 * Bundling runs webpack in the worker's process: seconds of CPU and a peak of hundreds of MB that
 * the heap keeps afterwards (the copilot held 660 MB after start, 1.2 GB at peak; issue 17).
 */

/** The file beside a workflows directory that holds its bundle: `copilot/workflows.bundle.js`. */
export const PREBUILT_BUNDLE_FILE = 'workflows.bundle.js';

/**
 * The bundle built for the `workflows/` module beside the calling module (pass its
 * `import.meta.url`), when it runs from compiled dist/ and the bundle is there; undefined otherwise
 * (the sources under tsx, or a dist/ built without bundles), and the caller bundles at start.
 * bin/headway.js runs dist/ only when it is newer than every source, so the bundle is current.
 */
export function prebuiltBundleBeside(moduleUrl: string): { codePath: string } | undefined {
  if (!moduleUrl.endsWith('.js')) return undefined;
  const codePath = fileURLToPath(new URL(`./${PREBUILT_BUNDLE_FILE}`, moduleUrl));
  return existsSync(codePath) ? { codePath } : undefined;
}
