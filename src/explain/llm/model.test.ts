import { describe, expect, it } from 'vitest';

import { ExplainSectionSchema } from '../../config/explain.js';
import { ErrorCode, HeadwayError } from '../../errors.js';
import { redactSecrets } from '../../log/redact.js';

import { languageModelFor } from './model.js';

const config = (raw: Record<string, unknown>) => ExplainSectionSchema.parse(raw);

function modelInfo(m: unknown): { provider: string; modelId: string } {
  return m as { provider: string; modelId: string };
}

describe('languageModelFor', () => {
  it('gives no model when the LLM is off', () => {
    expect(languageModelFor(config({}), {})).toBeUndefined();
  });

  it('builds an OpenAI-compatible model for a local endpoint such as Ollama', () => {
    const m = languageModelFor(
      config({
        provider: 'openai-compatible',
        model: 'llama3.1:8b',
        base_url: 'http://localhost:11434/v1',
      }),
      {},
    );
    expect(modelInfo(m).modelId).toBe('llama3.1:8b');
    expect(modelInfo(m).provider).toMatch(/^headway-llm/);
  });

  it('builds Anthropic and Bedrock models, taking the key and region from the environment', () => {
    const a = languageModelFor(config({ provider: 'anthropic', model: 'claude-sonnet-4-5' }), {
      ANTHROPIC_API_KEY: 'from-env',
    });
    expect(modelInfo(a).modelId).toBe('claude-sonnet-4-5');
    const b = languageModelFor(
      config({ provider: 'bedrock', model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0' }),
      { AWS_REGION: 'eu-west-1' },
    );
    expect(modelInfo(b).modelId).toBe('eu.anthropic.claude-sonnet-4-5-20250929-v1:0');
  });

  it('says what is missing: an Anthropic key, a Bedrock region', () => {
    const noKey = () => languageModelFor(config({ provider: 'anthropic', model: 'm' }), {});
    expect(noKey).toThrow(HeadwayError);
    expect(noKey).toThrow(/needs an API key/);
    try {
      languageModelFor(config({ provider: 'bedrock', model: 'm' }), {});
    } catch (err) {
      expect((err as HeadwayError).code).toBe(ErrorCode.ConfigInvalid);
      expect((err as HeadwayError).hint).toMatch(/HEADWAY_LLM_REGION/);
    }
  });
});

describe('redactSecrets', () => {
  it('removes the configured key and anything shaped like a credential', () => {
    const key = 'my-very-secret-key-42';
    const text = [
      `invalid x-api-key: ${key}`,
      'Authorization: Bearer abc.def.ghi',
      'https://user:pw@proxy.example/v1',
      'api_key=sk-abcdefghijklmnop',
      'AKIAABCDEFGHIJKLMNOP',
    ].join(' | ');
    const out = redactSecrets(text, [key]);
    expect(out).not.toContain(key);
    expect(out).not.toContain('abc.def.ghi');
    expect(out).not.toContain('user:pw');
    expect(out).not.toContain('sk-abcdefghijklmnop');
    expect(out).not.toContain('AKIAABCDEFGHIJKLMNOP');
    expect(out).toContain('https://***@proxy.example/v1');
  });
});
