import type { Agenda, Job } from "agenda";

/**
 * The parts of Agenda 6's JobProcessor (node_modules/agenda/dist/JobProcessor.js) that the queue
 * needs and Agenda does not expose. Each is checked before use: a version without them leaves the
 * queue on what Agenda does by itself (polls, wake-ups, locks that expire), never broken.
 */
interface ProcessorShape {
  /** runOrRetry() starts a locked job only while this is true. */
  isRunning: boolean;
  /** Locked by this process: running, or waiting in the local queue for a slot. */
  lockedJobs: Job[];
  runningJobs: Job[];
  /** Queue fills in flight, by job name; a fill may still lock a job. */
  isJobQueueFilling: Map<string, boolean>;
  /**
   * Locks due jobs of one name, one at a time, until none is due or the lock limits are reached,
   * and puts them in the local queue: what a poll does for every name and a wake-up for one.
   */
  jobQueueFilling(name: string): Promise<void>;
  /** Starts the jobs of the local queue that have a free slot. */
  jobProcessing(): Promise<void>;
}

/** What drain() needs to hand back the jobs locked but not started. */
export type DrainInternals = Pick<ProcessorShape, "isRunning" | "lockedJobs" | "runningJobs" | "isJobQueueFilling">;
/** What taking the next job when one ends needs. */
export type FillInternals = Pick<ProcessorShape, "isRunning" | "jobQueueFilling" | "jobProcessing">;

function processorOf(agenda: Agenda): Partial<ProcessorShape> | undefined {
  return (agenda as unknown as { jobProcessor?: Partial<ProcessorShape> }).jobProcessor;
}

export function drainInternals(agenda: Agenda): DrainInternals | undefined {
  const processor = processorOf(agenda);
  if (
    !processor ||
    typeof processor.isRunning !== "boolean" ||
    !Array.isArray(processor.lockedJobs) ||
    !Array.isArray(processor.runningJobs) ||
    !(processor.isJobQueueFilling instanceof Map)
  ) {
    return undefined;
  }
  return processor as DrainInternals;
}

export function fillInternals(agenda: Agenda): FillInternals | undefined {
  const processor = processorOf(agenda);
  if (
    !processor ||
    typeof processor.isRunning !== "boolean" ||
    typeof processor.jobQueueFilling !== "function" ||
    typeof processor.jobProcessing !== "function"
  ) {
    return undefined;
  }
  return processor as FillInternals;
}
