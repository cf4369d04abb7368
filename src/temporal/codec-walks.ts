// Hand-written: the SDK walks every activation and completion for its payload codecs even when a
// worker has none, and has no setting to skip it (@temporalio/worker's codec runner, SDK 1.24).
import proto from '@temporalio/proto';
import { WorkflowCodecRunner } from '@temporalio/worker/lib/workflow-codec-runner.js';

let skipping = false;

/**
 * Workers without payload codecs (the bench's) stop walking each workflow activation and each
 * completion for payloads to encode: the walk applies the codecs, none, and records, for the
 * codecs, what each command's answer will concern. What the SDK does with the messages is
 * unchanged (the same message types, converted the same way); workers with codecs still walk.
 * Measured at 50/s with 4 bench workers: 2 % of the main thread (docs/bench.md, "Fourteenth
 * round"). Process-wide; call before the first workflow task.
 */
export function skipCodecWalksWithoutCodecs(): void {
  if (skipping) return;
  skipping = true;
  const runner = WorkflowCodecRunner.prototype;
  // Called below with each runner as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { decodeActivation, encodeCompletion } = runner;
  // The SDK's types mark decoded and encoded payloads; without codecs they are the same payloads.
  runner.decodeActivation = function (this: WorkflowCodecRunner, activation) {
    if (hasCodecs(this)) return Reflect.apply(decodeActivation, this, [activation]);
    const message = proto.coresdk.workflow_activation.WorkflowActivation.fromObject(activation);
    return Promise.resolve(message as never);
  };
  runner.encodeCompletion = function (this: WorkflowCodecRunner, completion) {
    if (hasCodecs(this)) return Reflect.apply(encodeCompletion, this, [completion]);
    const { WorkflowActivationCompletion } = proto.coresdk.workflow_completion;
    return Promise.resolve(WorkflowActivationCompletion.fromObject(completion) as never);
  };
}

function hasCodecs(runner: WorkflowCodecRunner): boolean {
  return (runner as unknown as { readonly codecs: readonly unknown[] }).codecs.length > 0;
}
