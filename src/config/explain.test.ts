import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { HeadwayError } from '../errors.js';

import { ExplainSectionSchema } from './explain.js';
import { loadConfig } from './load.js';

const issues = (raw: unknown): string[] => {
  const parsed = ExplainSectionSchema.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the explain: section', () => {
  it('is off by default, with the documented limits', () => {
    expect(ExplainSectionSchema.parse(undefined)).toEqual({
      provider: 'none',
      timeout_s: 30,
      max_calls_per_hour: 60,
      temperature: 0,
    });
  });

  it('needs a model for every provider but none', () => {
    for (const provider of ['bedrock', 'anthropic', 'openai-compatible']) {
      expect(issues({ provider, base_url: 'http://localhost:11434/v1' })).toEqual([
        `model: explain.model is required when explain.provider is ${provider} (or set HEADWAY_LLM_MODEL)`,
      ]);
    }
    expect(issues({ provider: 'none', model: 'ignored' })).toEqual([]);
  });

  it('needs a base_url for openai-compatible', () => {
    expect(issues({ provider: 'openai-compatible', model: 'llama3.1' })).toEqual([
      expect.stringMatching(/^base_url: explain.base_url is required for openai-compatible/),
    ]);
  });

  it('rejects an unknown provider and out-of-range numbers', () => {
    expect(issues({ provider: 'openai' })).toEqual([
      'provider: must be one of none, bedrock, anthropic, openai-compatible',
    ]);
    expect(issues({ timeout_s: 0 })).toEqual(['timeout_s: must be at least 1 s']);
    expect(issues({ max_calls_per_hour: -1 })).toEqual(['max_calls_per_hour: must be at least 0']);
    expect(issues({ temperature: 3 })).toEqual(['temperature: must be between 0 and 2']);
    expect(issues({ base_url: 'ftp://x' })).toEqual([
      'base_url: must be an http:// or https:// URL',
    ]);
    expect(issues({ region: 'Europe' })).toEqual([
      'region: must be an AWS region such as eu-west-1',
    ]);
    expect(issues({ api_key: '' })).toEqual(['api_key: api_key must not be empty']);
    expect(issues({ extra: 1 })).toHaveLength(1);
  });
});

describe('the explain: section through loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headway-explain-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the HEADWAY_LLM_* variables', () => {
    const { config } = loadConfig({
      env: {
        HOME: dir,
        HEADWAY_LLM_PROVIDER: 'anthropic',
        HEADWAY_LLM_MODEL: 'claude-sonnet-4-5',
        HEADWAY_LLM_API_KEY: 'k',
        HEADWAY_LLM_MAX_CALLS_PER_HOUR: '12',
      },
      cwd: dir,
    });
    expect(config.explain).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      api_key: 'k',
      max_calls_per_hour: 12,
    });
  });

  it('fails the load with a message that names the missing model', () => {
    let error: unknown;
    try {
      loadConfig({ env: { HOME: dir, HEADWAY_LLM_PROVIDER: 'bedrock' }, cwd: dir });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HeadwayError);
    expect((error as HeadwayError).details.join('\n')).toContain('explain.model is required');
  });
});
