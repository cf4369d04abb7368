import { readFileSync } from 'node:fs';

import { z } from 'zod';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';

import type { BenchResults } from './results.js';

/** Enough of the result shape to tell a bench result from any other JSON file. */
const ResultsShapeSchema = z.object({
  schema: z.literal('headway-bench/1'),
  config: z.object({ workflowType: z.string() }),
  results: z.object({ latency: z.object({ p99: z.number() }) }),
  iterations: z.array(z.unknown()),
});

/** Reads a results file written by `headway bench run --json`; a usage error otherwise. */
export function readBenchResults(file: string): BenchResults {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HeadwayError(
      ErrorCode.Usage,
      `cannot read bench results ${file}: ${errorMessage(err)}`,
      { hint: 'give a file that `headway bench run --json FILE` wrote' },
    );
  }
  if (!ResultsShapeSchema.safeParse(value).success) {
    throw new HeadwayError(ErrorCode.Usage, `${file} is not a headway bench result`, {
      hint: 'write one with `headway bench run --json FILE`',
    });
  }
  return value as BenchResults;
}
