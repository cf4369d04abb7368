import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

import { z } from 'zod';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import {
  evaluate,
  type Evaluation,
  type PreviousEvaluation,
  type ResolvedThresholds,
  type Signals,
} from '../health/index.js';

/**
 * A recorded trace: one observation (the wire `Signals`) per line, as `headway record` writes
 * them. A missing or null field reads back as an absent signal.
 */
const TraceLineSchema = z.looseObject({
  timestamp: z.string().min(1),
  primary_signals: z.record(z.string(), z.unknown()),
  amplifiers: z.record(z.string(), z.unknown()).optional(),
  worker_signals: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** Reads every line first, so a bad line is reported (all of them) before any output. */
export async function readTrace(file: string): Promise<Signals[]> {
  const entries: Signals[] = [];
  const problems: string[] = [];
  const stream = createReadStream(file, 'utf8');
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (err) {
    throw new HeadwayError(ErrorCode.Usage, `cannot read trace ${file}`, {
      details: [errorMessage(err)],
    });
  }
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    n += 1;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      problems.push(`line ${n}: not JSON`);
      continue;
    }
    const parsed = TraceLineSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(
        `line ${n}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'line'} ${i.message}`).join('; ')}`,
      );
      continue;
    }
    entries.push(parsed.data as unknown as Signals);
  }
  if (problems.length > 0) {
    throw new HeadwayError(ErrorCode.Usage, `${file} has ${problems.length} invalid line(s)`, {
      details: problems.slice(0, 20),
      hint: 'each line must be a JSON object with "timestamp" and "primary_signals" (as `headway record` writes)',
    });
  }
  if (entries.length === 0) {
    throw new HeadwayError(ErrorCode.Usage, `${file} holds no observations`, {
      hint: 'record one with `headway record`',
    });
  }
  return entries;
}

/**
 * Runs the state machine over the observations in order, each evaluation feeding the next,
 * starting from happy with a zero critical count as a fresh copilot does.
 */
export function replayTrace(
  entries: readonly Signals[],
  thresholds: ResolvedThresholds,
): Evaluation[] {
  const evaluations: Evaluation[] = [];
  let previous: PreviousEvaluation | undefined;
  for (const signals of entries) {
    const e = evaluate(signals, previous, thresholds);
    previous = e;
    evaluations.push(e);
  }
  return evaluations;
}
