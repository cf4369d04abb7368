import { z } from 'zod';

/**
 * The `explain:` section of `headway.yml`: the optional LLM that rewrites the narrator's account of
 * an assessment (docs/llm.md). Off by default: the deterministic narrator needs no service, no key
 * and no money, and the rules decide the state either way. The API key is best given through
 * HEADWAY_LLM_API_KEY so it never sits in a file.
 */

export const LLM_PROVIDERS = ['none', 'bedrock', 'anthropic', 'openai-compatible'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

export const ExplainSectionSchema = z
  .strictObject({
    provider: z
      .enum(LLM_PROVIDERS, { error: `must be one of ${LLM_PROVIDERS.join(', ')}` })
      .default('none'),
    /** Provider-specific model id, e.g. `claude-sonnet-4-5`, `llama3.1:8b`, a Bedrock profile id. */
    model: nonEmpty('model').optional(),
    /** An OpenAI-compatible endpoint (Ollama: http://localhost:11434/v1), or a proxy for the others. */
    base_url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .optional(),
    /** Never logged. Bedrock also takes AWS credentials from the environment instead. */
    api_key: nonEmpty('api_key').optional(),
    /** Bedrock only; unset → AWS_REGION. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]+$/, 'must be an AWS region such as eu-west-1')
      .optional(),
    /** Each model call is abandoned after this long and the narrator's text is kept. */
    timeout_s: z.coerce
      .number({ error: 'must be a number of seconds' })
      .min(1, 'must be at least 1 s')
      .max(600, 'must be at most 600 s')
      .default(30),
    /** Model calls allowed in any 60-minute window, per process; 0 never calls the model. */
    max_calls_per_hour: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(100_000, 'must be at most 100000')
      .default(60),
    temperature: z.coerce
      .number({ error: 'must be a number' })
      .min(0, 'must be between 0 and 2')
      .max(2, 'must be between 0 and 2')
      .default(0),
  })
  .prefault({})
  .superRefine((e, ctx) => {
    if (e.provider === 'none') return;
    if (e.model === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: `explain.model is required when explain.provider is ${e.provider} (or set HEADWAY_LLM_MODEL)`,
      });
    }
    if (e.provider === 'openai-compatible' && e.base_url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['base_url'],
        message:
          'explain.base_url is required for openai-compatible, e.g. http://localhost:11434/v1 for Ollama (or set HEADWAY_LLM_BASE_URL)',
      });
    }
  });

export type ExplainConfig = z.infer<typeof ExplainSectionSchema>;
