import { describe, expect, it } from 'vitest';

import { readStoredSnapshot } from './stored-snapshot.js';

describe('readStoredSnapshot', () => {
  it('reads the primary signals and idleness the copilot stores', () => {
    expect(
      readStoredSnapshot({
        primary_signals: { history: { backlog_age_sec: 4, shard_lock_p99_ms: null } },
        amplifiers: {},
        is_idle: false,
      }),
    ).toEqual({
      primary_signals: { history: { backlog_age_sec: 4, shard_lock_p99_ms: null } },
      is_idle: false,
    });
  });

  it('leaves idleness out for a row stored before it was kept', () => {
    expect(readStoredSnapshot({ primary_signals: { history: { backlog_age_sec: 4 } } })).toEqual({
      primary_signals: { history: { backlog_age_sec: 4 } },
    });
  });

  it('keeps what is readable of a malformed snapshot and drops the rest', () => {
    expect(
      readStoredSnapshot({
        primary_signals: { history: { backlog_age_sec: 'many', depth: 2 }, matching: [1, 2] },
        is_idle: 'yes',
      }),
    ).toEqual({ primary_signals: { history: { backlog_age_sec: null, depth: 2 }, matching: {} } });
    expect(readStoredSnapshot({ primary_signals: [1, 2], is_idle: true })).toEqual({
      primary_signals: {},
      is_idle: true,
    });
  });

  it.each([null, undefined, 'text', 3, []])('reads %j as no signals', (value) => {
    expect(readStoredSnapshot(value)).toEqual({ primary_signals: {} });
  });
});
