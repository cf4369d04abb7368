import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';

import type { ExplainConfig } from '../../config/explain.js';
import { ErrorCode, HeadwayError, assertNever, errorMessage } from '../../errors.js';
import { redactSecrets } from '../../log/redact.js';

/** A model object, never a bare model id: a string would be resolved through the AI Gateway. */
export type ExplainModel = Exclude<LanguageModel, string>;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The language model the config names, or undefined when the LLM is off (`provider: none`). Only
 * builds a client: nothing is sent until a call is made, so a wrong key shows up at the first call
 * (and that call falls back to the narrator).
 */
export function languageModelFor(
  config: ExplainConfig,
  env: Env = process.env,
): ExplainModel | undefined {
  if (config.provider === 'none') return undefined;
  const model = config.model;
  if (model === undefined) {
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `explain.model is required for ${config.provider}`,
      {
        hint: 'set explain.model in headway.yml or HEADWAY_LLM_MODEL',
      },
    );
  }
  try {
    return build(config, model, env);
  } catch (err) {
    if (err instanceof HeadwayError) throw err;
    // Provider constructors put settings into their messages; the key must not reach a log.
    throw new HeadwayError(
      ErrorCode.ConfigInvalid,
      `cannot set up the ${config.provider} model ${model}`,
      {
        details: [redactSecrets(errorMessage(err), secretsOf(config))],
        hint: 'check the explain: section of headway.yml (docs/llm.md)',
      },
    );
  }
}

function build(config: ExplainConfig, model: string, env: Env): ExplainModel {
  const { provider, api_key: apiKey, base_url: baseURL } = config;
  switch (provider) {
    case 'openai-compatible': {
      if (baseURL === undefined) {
        throw new HeadwayError(
          ErrorCode.ConfigInvalid,
          'explain.base_url is required for openai-compatible',
          {
            hint: 'for Ollama: base_url: http://localhost:11434/v1',
          },
        );
      }
      return createOpenAICompatible({
        name: 'headway-llm',
        baseURL,
        ...(apiKey === undefined ? {} : { apiKey }),
        // Ollama, vLLM and LM Studio accept `response_format: json_schema`; sending the schema
        // keeps small local models on the expected keys.
        supportsStructuredOutputs: true,
      }).chatModel(model);
    }
    case 'anthropic': {
      const key = apiKey ?? nonEmpty(env.ANTHROPIC_API_KEY);
      if (key === undefined) {
        throw new HeadwayError(ErrorCode.ConfigInvalid, 'the anthropic provider needs an API key', {
          hint: 'set HEADWAY_LLM_API_KEY (or ANTHROPIC_API_KEY)',
        });
      }
      return createAnthropic({ apiKey: key, ...(baseURL === undefined ? {} : { baseURL }) })(model);
    }
    case 'bedrock': {
      const region = config.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
      if (region === undefined) {
        throw new HeadwayError(ErrorCode.ConfigInvalid, 'the bedrock provider needs a region', {
          hint: 'set explain.region, HEADWAY_LLM_REGION or AWS_REGION',
        });
      }
      // Without an API key the provider signs with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
      // AWS_SESSION_TOKEN from the environment, as the Prometheus SigV4 client does.
      return createAmazonBedrock({
        region,
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(baseURL === undefined ? {} : { baseURL }),
      })(model);
    }
    case 'none':
      throw new HeadwayError(ErrorCode.Internal, 'no model for provider none');
    default:
      return assertNever(provider);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The configured secrets, for redaction. */
export function secretsOf(config: Pick<ExplainConfig, 'api_key'>): string[] {
  return config.api_key === undefined ? [] : [config.api_key];
}
