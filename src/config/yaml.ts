/**
 * YAML parsing, loaded on first use: every command reads its configuration, and most find no file
 * to parse; importing `yaml` up front costs 27-56 ms of CPU at each start (docs/bench.md, "Twelfth
 * round"). The configuration is read synchronously, hence `require` rather than `import()`.
 */
import { createRequire } from 'node:module';

import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);

export function parseYaml(text: string): unknown {
  return (require('yaml') as typeof Yaml).parse(text);
}
