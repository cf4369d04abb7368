import { MockLanguageModelV4 } from 'ai/test';

// Taken from the mock itself: @ai-sdk/provider is only a dependency of `ai`, at its own version.
type CallOptions = MockLanguageModelV4['doGenerateCalls'][number];
type GenerateResult = Awaited<ReturnType<MockLanguageModelV4['doGenerate']>>;

/**
 * The AI SDK's own mock language model, scripted: each call answers with the next item. No LLM
 * is reachable from the tests, and none is needed: what is under test is what Headway does with an
 * answer.
 */

/** An answer: raw text (JSON or not), a thrown error, or a call that never answers. */
export type ScriptedAnswer = string | Error | { hang: true };

export interface ScriptedModel {
  readonly model: MockLanguageModelV4;
  /** The calls made so far, with the prompt the SDK sent. */
  readonly calls: CallOptions[];
  /** System and user text of call `i`, joined. */
  promptText(i: number): string;
}

function result(text: string): GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: {
      inputTokens: { total: 100, noCache: 100, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 50, text: 50, reasoning: 0 },
    },
    warnings: [],
  };
}

export function scriptedModel(answers: readonly ScriptedAnswer[]): ScriptedModel {
  const queue = [...answers];
  const calls: CallOptions[] = [];
  const model = new MockLanguageModelV4({
    provider: 'mock',
    modelId: 'scripted',
    doGenerate: async (options) => {
      calls.push(options);
      const next = queue.shift();
      if (next === undefined) throw new Error('scripted model: no answer left');
      if (next instanceof Error) throw next;
      if (typeof next === 'string') return result(next);
      return new Promise<never>((_, reject) => {
        const signal = options.abortSignal;
        const abort = (): void => {
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        if (signal?.aborted === true) abort();
        else signal?.addEventListener('abort', abort, { once: true });
      });
    },
  });
  return {
    model,
    calls,
    promptText(i: number): string {
      const call = calls[i];
      if (call === undefined) return '';
      return call.prompt
        .map((m) =>
          typeof m.content === 'string'
            ? m.content
            : m.content.map((p) => ('text' in p ? p.text : '')).join(''),
        )
        .join('\n');
    },
  };
}
