/**
 * Reads what the renderers embed from the repository: Headway's Grafana dashboards (grafana/).
 * The one impure part of src/deploy; the renderers take its result as input.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Dashboard, RenderAssets } from './common.js';

/** grafana/ at the repository root (also inside the Headway image, at /app/grafana). */
export const GRAFANA_DIR = fileURLToPath(new URL('../../grafana', import.meta.url));

/** Every `grafana/<folder>/*.json` except provisioning, sorted, so renders are deterministic. */
export function loadAssets(grafanaDir: string = GRAFANA_DIR): RenderAssets {
  const dashboards: Dashboard[] = [];
  for (const folder of readdirSync(grafanaDir).sort()) {
    const dir = join(grafanaDir, folder);
    if (folder === 'provisioning' || !statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.json')) {
        dashboards.push({ folder, file, content: readFileSync(join(dir, file), 'utf8') });
      }
    }
  }
  return { dashboards };
}
