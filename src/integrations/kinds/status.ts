/**
 * What happens to a run, as the status sinks of notifiers and task trackers hear it. Sinks get
 * every event; each decides what is worth a message. Their state (a message's id, the comments
 * already posted) lives on the run, so a run resumed after a crash updates what it posted instead
 * of posting it again.
 */

export type RunEvent =
  | { type: "queued" }
  | { type: "started" }
  | { type: "step"; step: string; status: string }
  | { type: "pr_opened"; url: string }
  | { type: "review_posted"; url: string; findings: number }
  | { type: "succeeded"; summary?: string }
  | { type: "failed"; message: string }
  | { type: "stopped"; by: string }
  | { type: "budget_exceeded"; message: string };

export interface RunInfo {
  id: string;
  repo: string;
  number: number;
  kind: "issue" | "pull_request";
  task: string;
  actor: string;
  /** The issue or pull request title, once known. */
  title?: string;
  /** The issue or pull request on GitHub. */
  url: string;
  runUrl: string;
  costMicros: number;
  /**
   * The task the run belongs to in each task tracker, by the tracker's id, as the tracker read it
   * from text by people with write access (TaskTracker.findKey).
   */
  taskKeys?: Readonly<Record<string, string>>;
}

/** Small durable state per run and sink, kept in the run's links. */
export interface MirrorState {
  get(key: string): string | undefined;
  set(key: string, value: string): Promise<void>;
  /** True for the first caller only, across processes: who creates a run's first message. */
  claim(key: string): Promise<boolean>;
  /** Reads the run's state again, for a value another process is writing. */
  reload(): Promise<void>;
}

export interface StatusSink {
  /** Its integration's id: the prefix of its state's keys and of the `<name>Error` it records. */
  readonly name: string;
  handle(event: RunEvent, run: RunInfo, state: MirrorState): Promise<void>;
}

/**
 * An error from a remote tool whose message says what the tool answered and holds no credential,
 * so it may be recorded on the run as it is (any other error is recorded by its name or code).
 */
export class RemoteError extends Error {
  override name = "RemoteError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `fetch` for a tool's client, with a time limit: a tool that never answers or cannot be reached
 * fails with a message saying so (`Linear did not answer POST /graphql within 30 s`), made into the
 * client's own error by `fail`; the address is left out, as it may hold a credential.
 */
export async function fetchWithin(tool: string, call: string, url: string, init: RequestInit, timeoutMs: number, fail: (message: string) => RemoteError): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError") throw fail(`${tool} did not answer ${call} within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`);
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    throw fail(`${tool} could not be reached for ${call}${typeof code === "string" ? ` (${code})` : ""}`);
  }
}

export const STATUS_TEXT: Record<RunEvent["type"], string> = {
  queued: "Queued",
  started: "Running",
  step: "Running",
  pr_opened: "Pull request opened",
  review_posted: "Review posted",
  succeeded: "Succeeded",
  failed: "Failed",
  stopped: "Stopped",
  budget_exceeded: "Stopped at its budget",
};
