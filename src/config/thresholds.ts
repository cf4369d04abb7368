import { readFileSync } from 'node:fs';

import { z } from 'zod';

import { ErrorCode, HeadwayError, errorMessage } from '../errors.js';
import {
  ThresholdOverridesSchema,
  resolveThresholds,
  type ResolvedThresholds,
} from '../health/thresholds.js';

import { parseYaml } from './yaml.js';

/** Threshold overrides (the shape of `signals.thresholds`) resolved, or a CONFIG_INVALID error. */
export function thresholdsFrom(
  overrides: unknown,
  source = 'signals.thresholds',
): ResolvedThresholds {
  const parsed = ThresholdOverridesSchema.safeParse(overrides ?? {});
  if (!parsed.success) {
    throw new HeadwayError(ErrorCode.ConfigInvalid, `invalid threshold overrides in ${source}`, {
      details: z.prettifyError(parsed.error).split('\n'),
    });
  }
  const resolved = resolveThresholds(parsed.data);
  if (Array.isArray(resolved)) {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `threshold overrides in ${source} break the state machine's ordering`,
      {
        details: resolved,
        hint: 'critical floors must stay below healthy levels, and backlog limits must rise healthy < stressed < critical',
      },
    );
  }
  return resolved;
}

/** Threshold overrides from a YAML or JSON file, resolved. */
export function thresholdsFromFile(file: string): ResolvedThresholds {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HeadwayError(ErrorCode.ConfigFileUnreadable, `cannot read thresholds file ${file}`, {
      details: [errorMessage(err)],
    });
  }
  return thresholdsFrom(raw, file);
}
