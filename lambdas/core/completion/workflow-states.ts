/**
 * The workflow state as each task receives it. Step Functions passes the whole state (each task
 * adds its result at its `ResultPath`, see `lambdas/workflow/tasks.ts`), so a task's input is the
 * state after the tasks before it. The states after `PublishFile`, after a rejection and after a
 * failure are `CompletionState`, `RejectionState` and `FailureState` in the contract.
 */
import type { VirusScan } from '../../analysis/scan/virus-types.js';
import type { AssembledFile, AssemblyPlan, Verification, WorkflowInput } from '../../workflow/contract.js';

/** After `PlanAssembly` (and the `AssembleParts` Map, whose ResultPath is null). */
export interface PlannedState extends WorkflowInput {
  plan: AssemblyPlan;
}

/** After `FinishAssembly`. */
export interface AssembledState extends PlannedState {
  assembled: AssembledFile;
}

/**
 * After `ScanForMalware`. `malware` is optional for executions that started before the step
 * existed (the local runner resumes journaled executions): they count as not scanned.
 */
export interface ScannedState extends AssembledState {
  malware?: VirusScan;
}

/** After `AnalyzeFile`. */
export interface VerifiedState extends ScannedState {
  verification: Verification;
}
