import { defineQuery, defineSignal } from '@temporalio/workflow';

import type { SampleProgress, StepResult } from '../types.js';

/** Every sample answers `progress`; `headway workflow status --follow` prints it. */
export const progressQuery = defineQuery<SampleProgress>('progress');
/** The sample's state word (the `state` of `progress`). */
export const currentStateQuery = defineQuery<string>('currentState');
export const iterationCountQuery = defineQuery<number>('iterationCount');
export const lastResultQuery = defineQuery<StepResult | null>('lastResult');

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/** Adds an instruction for the next iteration. */
export const injectInstructionSignal = defineSignal<[string]>('injectInstruction');
/** Asks for a stronger approach from the next iteration on (raises the escalation level). */
export const escalateSignal = defineSignal<[string?]>('escalate');
/** Finishes a long-running workflow after its current iteration. */
export const stopSignal = defineSignal('stop');
