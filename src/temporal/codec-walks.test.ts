import { createRequire } from 'node:module';

import type { Payload, PayloadCodec } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { WorkflowCodecRunner } from '@temporalio/worker/lib/workflow-codec-runner.js';
import { describe, expect, it, vi } from 'vitest';

import { skipCodecWalksWithoutCodecs } from './codec-walks.js';

// The module whose walk the SDK's codec runner calls (through a re-export that reads it at each
// call); its CommonJS exports, which a spy can replace.
const walker = createRequire(import.meta.url)(
  '@temporalio/common/lib/internal-non-workflow/payload-visitor.js',
) as { visit: (...args: unknown[]) => Promise<void> };
const { WorkflowActivation } = proto.coresdk.workflow_activation;
const { WorkflowActivationCompletion } = proto.coresdk.workflow_completion;
const context = { type: 'workflow', namespace: 'default', workflowId: 'wf-1' } as const;

/** A codec that marks what it encodes and unmarks what it decodes, counting each call. */
class MarkingCodec implements PayloadCodec {
  calls = 0;
  encode(payloads: Payload[]): Promise<Payload[]> {
    this.calls += 1;
    return Promise.resolve(
      payloads.map((p) => ({ ...p, metadata: { ...p.metadata, marked: new Uint8Array([1]) } })),
    );
  }
  decode(payloads: Payload[]): Promise<Payload[]> {
    this.calls += 1;
    return Promise.resolve(
      payloads.map(({ metadata, ...p }) => ({ ...p, metadata: { encoding: metadata!.encoding! } })),
    );
  }
}

function activation() {
  return WorkflowActivation.decode(
    WorkflowActivation.encode({
      runId: 'run-1',
      jobs: [
        {
          initializeWorkflow: {
            workflowId: 'wf-1',
            workflowType: 'simpleWorkflow',
            arguments: [defaultPayloadConverter.toPayload(42)],
          },
        },
      ],
    }).finish(),
  );
}

function completion() {
  return {
    runId: 'run-1',
    successful: {
      commands: [
        {
          completeWorkflowExecution: { result: defaultPayloadConverter.toPayload('done') },
        },
      ],
    },
  };
}

describe('skipCodecWalksWithoutCodecs', () => {
  it('gives back what the SDK’s walk gives back, message types included, when a worker has no codecs', async () => {
    const input = activation();
    // The SDK's own walk, before the skip is in place (it is process-wide from then on).
    const walked = new WorkflowCodecRunner([], context);
    const sdkDecoded = await walked.decodeActivation(activation());
    const sdkEncoded = await walked.encodeCompletion(completion());
    skipCodecWalksWithoutCodecs();

    const walk = vi.spyOn(walker, 'visit');
    const runner = new WorkflowCodecRunner([], context);
    const decoded = await runner.decodeActivation(input);
    expect(decoded).toBe(input);
    expect(decoded.constructor).toBe(sdkDecoded.constructor);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(sdkDecoded));

    const encoded = await runner.encodeCompletion(completion());
    expect(encoded.constructor).toBe(sdkEncoded.constructor);
    expect(JSON.stringify(encoded)).toBe(JSON.stringify(sdkEncoded));
    // What the worker then does with it.
    const bytes = WorkflowActivationCompletion.encodeDelimited(encoded).finish();
    const back = WorkflowActivationCompletion.decodeDelimited(bytes);
    const result = back.successful!.commands![0]!.completeWorkflowExecution!.result!;
    expect(defaultPayloadConverter.fromPayload(result)).toBe('done');
    expect(walk).not.toHaveBeenCalled();
  });

  it('still runs the codecs of a worker that has them', async () => {
    skipCodecWalksWithoutCodecs();
    const walk = vi.spyOn(walker, 'visit');
    const codec = new MarkingCodec();
    const runner = new WorkflowCodecRunner([codec], context);
    const encoded = await runner.encodeCompletion(completion());
    const result = encoded.successful!.commands![0]!.completeWorkflowExecution!.result!;
    expect(result.metadata!.marked).toEqual(new Uint8Array([1]));
    await runner.decodeActivation(activation());
    expect(codec.calls).toBe(2);
    expect(walk).toHaveBeenCalledTimes(2);
  });
});
