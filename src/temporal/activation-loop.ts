// Hand-written: the SDK's worker drives every workflow activation through an rxjs pipeline (a group
// of some twenty subscribers per workflow run) and has no setting for a plain loop (SDK 1.24).
import type { coresdk } from '@temporalio/proto';
import proto from '@temporalio/proto';
import { ShutdownError } from '@temporalio/worker/lib/errors.js';
import { Worker } from '@temporalio/worker/lib/worker.js';
import { Observable, type BehaviorSubject, type Subject } from 'rxjs';

type Activation = coresdk.workflow_activation.WorkflowActivation;

/** What the SDK's `handleActivation` answers: the run's state, and its completion to send. */
interface Handled {
  readonly state: unknown;
  readonly output: { readonly close: boolean; readonly completion?: Uint8Array };
}

/** The members of the SDK's `Worker` that its workflow pipeline uses (protected in its types). */
interface WorkerInternals {
  readonly workflowCreator: unknown;
  readonly isReplayWorker: boolean;
  readonly logger: {
    trace(message: string, meta?: unknown): void;
    debug(message: string, meta?: unknown): void;
    error(message: string, meta?: unknown): void;
  };
  readonly nativeWorker: {
    pollWorkflowActivation(): Promise<Buffer>;
    completeWorkflowActivation(completion: Buffer): Promise<void>;
  };
  hasOutstandingWorkflowPoll: boolean;
  readonly workflowPollerStateSubject: BehaviorSubject<string>;
  readonly numInFlightActivationsSubject: BehaviorSubject<number>;
  readonly numCachedWorkflowsSubject: BehaviorSubject<number>;
  readonly unexpectedErrorSubject: Subject<void>;
  handleActivation(
    state: unknown,
    input: { readonly activation: Activation; readonly synthetic: boolean },
  ): Promise<Handled>;
}

/** One workflow run in this worker's cache: its state and the tail of its queue of activations. */
interface Run {
  state: unknown;
  tail: Promise<void>;
  closed: boolean;
}

/** Why the SDK evicts what is still cached when its poller stops (Worker.SELF_INDUCED_SHUTDOWN_EVICTION). */
const SHUTDOWN_EVICTION = (Worker as unknown as { readonly SELF_INDUCED_SHUTDOWN_EVICTION: object })
  .SELF_INDUCED_SHUTDOWN_EVICTION;

let installed = false;

/**
 * The bench's workers take their workflow activations in a plain loop instead of the SDK's rxjs
 * pipeline: the same steps in the same order, with the SDK's own `handleActivation` for each
 * activation. Poll, decode, queue behind the run's previous activation, handle, send the
 * completion; the same counts (in-flight activations, cached workflows), the same poller states,
 * and, when polling stops, the same synthetic eviction of every run still cached, so a worker
 * drains and stops as the SDK's does. Replay workers keep the SDK's pipeline. Process-wide; call
 * before the first worker runs.
 */
export function loopWorkflowActivations(): void {
  if (installed) return;
  installed = true;
  const prototype = Worker.prototype as unknown as Record<string, unknown>;
  const sdkWorkflow$ = prototype['workflow$'] as (this: WorkerInternals) => Observable<void>;
  prototype['workflow$'] = function (this: WorkerInternals): Observable<void> {
    // The SDK's pipeline also answers for workers without workflows (it logs, then completes).
    if (this.workflowCreator === undefined || this.isReplayWorker) return sdkWorkflow$.call(this);
    return activationLoop(this);
  };
}

function activationLoop(worker: WorkerInternals): Observable<void> {
  const { WorkflowActivation } = proto.coresdk.workflow_activation;
  return new Observable<void>((subscriber) => {
    const runs = new Map<string, Run>();
    let polling = true;
    let pending = 0;
    let ended = false;

    // Whatever a rejection carries (even `undefined`) fails the worker; only a drain completes it.
    const fail = (error: unknown): void => {
      if (ended) return;
      ended = true;
      subscriber.error(error);
    };
    const settleIfDone = (): void => {
      if (ended || polling || pending > 0) return;
      ended = true;
      worker.logger.debug('Workflow Worker terminated');
      subscriber.complete();
    };
    const track = (work: Promise<void>): void => {
      pending += 1;
      work.then(
        () => {
          pending -= 1;
          settleIfDone();
        },
        (error: unknown) => fail(error),
      );
    };
    const counter = (subject: BehaviorSubject<number>, by: number): void =>
      subject.next(subject.value + by);

    const complete = async (completion: Uint8Array): Promise<void> => {
      try {
        await worker.nativeWorker.completeWorkflowActivation(Buffer.from(completion));
      } catch (error) {
        worker.logger.error(
          'Core reported failure in completeWorkflowActivation(). Initiating Worker shutdown.',
          { error },
        );
        worker.unexpectedErrorSubject.error(error);
      }
    };

    const dispatch = (activation: Activation, synthetic: boolean): void => {
      const { runId } = activation;
      let run = runs.get(runId);
      if (run === undefined) {
        run = { state: undefined, tail: Promise.resolve(), closed: false };
        runs.set(runId, run);
      }
      const current = run;
      counter(worker.numInFlightActivationsSubject, 1);
      // One activation of a run at a time, in the order they came (the SDK's group per run).
      current.tail = current.tail.then(async () => {
        if (current.closed || ended) {
          // Queued behind the eviction that closed the run: nothing left to handle.
          counter(worker.numInFlightActivationsSubject, -1);
          return;
        }
        const { state, output } = await worker.handleActivation(current.state, {
          activation,
          synthetic,
        });
        current.state = state;
        counter(worker.numInFlightActivationsSubject, -1);
        if (output.close) {
          current.closed = true;
          if (runs.get(runId) === current) runs.delete(runId);
          counter(worker.numCachedWorkflowsSubject, -1);
        }
        // Sent without holding the run's queue, as the SDK does.
        if (output.completion !== undefined) track(complete(output.completion));
      });
      track(current.tail);
    };

    const poll = async (): Promise<void> => {
      for (;;) {
        let buffer: Buffer;
        worker.hasOutstandingWorkflowPoll = true;
        try {
          buffer = await worker.nativeWorker.pollWorkflowActivation();
        } finally {
          worker.hasOutstandingWorkflowPoll = false;
        }
        const activation = WorkflowActivation.decode(new Uint8Array(buffer));
        worker.logger.trace('Got workflow activation', activation);
        if (ended) return;
        dispatch(activation, false);
      }
    };

    poll().then(
      () => undefined,
      (error: unknown) => {
        if (!(error instanceof ShutdownError)) {
          worker.logger.trace('Workflow Poller changed state to FAILED');
          worker.workflowPollerStateSubject.next('FAILED');
          fail(error);
          return;
        }
        worker.logger.trace('Workflow Poller changed state to SHUTDOWN');
        worker.workflowPollerStateSubject.next('SHUTDOWN');
        // Core will send nothing more: every run still cached is evicted here, without a
        // completion, after what is already queued for it.
        for (const runId of [...runs.keys()]) {
          const eviction = WorkflowActivation.create({
            runId,
            jobs: [{ removeFromCache: SHUTDOWN_EVICTION }],
          });
          dispatch(eviction, true);
        }
        polling = false;
        settleIfDone();
      },
    );
    // Unsubscribed (the worker failed elsewhere): what is in flight finishes, nothing more starts.
    return () => {
      ended = true;
    };
  });
}
