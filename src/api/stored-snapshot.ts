import { z } from 'zod';

import type { AssessmentSnapshot } from '../model/records.js';

/**
 * The parts of a stored assessment's `metrics_snapshot` the API reads. The column is JSON that
 * older builds wrote in other shapes, so each field falls back on its own: a missing or malformed
 * one never hides the rest.
 */
const StoredSnapshotSchema = z.object({
  // A value that is not a number reads as absent (null), as a signal Prometheus did not answer.
  primary_signals: z
    .record(z.string(), z.record(z.string(), z.number().nullable().catch(null)).catch({}))
    .catch({}),
  is_idle: z.boolean().optional().catch(undefined),
});

export type StoredSnapshot = Pick<AssessmentSnapshot, 'primary_signals'> &
  Partial<Pick<AssessmentSnapshot, 'is_idle'>>;

/** Reads a stored `metrics_snapshot`: its primary signals ({} when none) and idleness if kept. */
export function readStoredSnapshot(value: unknown): StoredSnapshot {
  const parsed = StoredSnapshotSchema.safeParse(value);
  if (!parsed.success) return { primary_signals: {} };
  const { primary_signals, is_idle } = parsed.data;
  return is_idle === undefined ? { primary_signals } : { primary_signals, is_idle };
}
