import type { Logger } from "pino";
import { type ConnectedIntegrations, repositoryParts } from "../integrations/connect.js";
import { type MirrorState, RemoteError, type RunEvent, type RunInfo, type StatusSink } from "../integrations/kinds/status.js";
import type { Store } from "../store/types.js";

export type MirrorStore = Pick<Store, "getRun" | "updateRun" | "claimNotice">;

/** The server's connected integrations, and where their sinks keep a run's state; built once at boot. */
export interface MirrorEnvironment {
  integrations: ConnectedIntegrations;
  store: MirrorStore;
  log: Pick<Logger, "warn">;
}

/** The sinks a repository's settings ask for, among the integrations the server has credentials for. */
export function sinksFor(config: Readonly<Record<string, unknown>>, environment: MirrorEnvironment): StatusSink[] {
  return [...repositoryParts(environment.integrations, config).values()].flatMap((parts) => (parts.sink ? [parts.sink] : []));
}

/** A run's mirror to `sinks`; one that mirrors nothing without an environment. */
export function runMirror(sinks: readonly StatusSink[], environment: MirrorEnvironment | undefined, info: () => RunInfo): RunMirror {
  if (!environment) return new RunMirror([], info, { getRun: () => Promise.resolve(null), updateRun: () => Promise.resolve(null), claimNotice: () => Promise.resolve(false) }, { warn: () => undefined });
  return new RunMirror(sinks, info, environment.store, environment.log);
}

/** A sink's events not yet handed to it, and the loop handing them over while there is one. */
interface SinkQueue {
  waiting: RunEvent[];
  delivering?: Promise<void>;
}

/**
 * Feeds a run's events to its sinks without ever holding the run up: events are queued per run and
 * sink and handled in order in the background, each sink on its own queue so one whose tool is slow
 * or unreachable (an SMTP server that never answers) delays no other; a sink's failure is logged
 * once per reason, recorded on the run (`<sink>Error`: `slackError`, `jiraError`), and otherwise ignored.
 *
 * A step's progress is a state, not news: while a sink is busy, a newer `step` event replaces the
 * one still waiting right behind it, so a slow sink (or one rate-limited, as Slack's chat.update
 * is) sends the newest status instead of working through stale ones. Every other event (started,
 * a pull request, the outcome) is delivered, in order.
 */
export class RunMirror {
  private readonly queues: SinkQueue[];
  private readonly reported = new Set<string>();
  private links: Record<string, string> = {};

  constructor(
    private readonly sinks: readonly StatusSink[],
    private readonly info: () => RunInfo,
    private readonly store: MirrorStore,
    private readonly log: Pick<Logger, "warn">,
  ) {
    this.queues = sinks.map(() => ({ waiting: [] }));
  }

  get active(): boolean {
    return this.sinks.length > 0;
  }

  emit(event: RunEvent): void {
    this.sinks.forEach((sink, index) => {
      const queue = this.queues[index]!;
      const last = queue.waiting.length - 1;
      if (event.type === "step" && queue.waiting[last]?.type === "step") queue.waiting[last] = event;
      else queue.waiting.push(event);
      queue.delivering ??= this.drain(queue, sink);
    });
  }

  /** Waits for the queued events, at most `ms`; for tests and for the end of a CLI run. */
  async flush(ms = 10_000): Promise<void> {
    await Promise.race([Promise.all(this.queues.map((queue) => queue.delivering ?? Promise.resolve())), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  }

  private async drain(queue: SinkQueue, sink: StatusSink): Promise<void> {
    // After a first await, so that `emit` has stored this loop before it can end.
    await Promise.resolve();
    for (let event = queue.waiting.shift(); event; event = queue.waiting.shift()) {
      // deliver() logs what the sink refused; nothing else it meets may stop the events behind.
      await this.deliver(event, sink).catch(() => undefined);
    }
    queue.delivering = undefined;
  }

  private async deliver(event: RunEvent, sink: StatusSink): Promise<void> {
    const info = this.info();
    const run = await this.store.getRun(info.id).catch(() => null);
    this.links = { ...run?.links, ...this.links };
    const state: MirrorState = {
      get: (key) => this.links[key],
      set: async (key, value) => {
        this.links[key] = value;
        await this.store.updateRun(info.id, { links: { [key]: value } });
      },
      claim: (key) => this.store.claimNotice(`mirror:${info.id}:${key}`),
      reload: async () => {
        const latest = await this.store.getRun(info.id);
        this.links = { ...this.links, ...latest?.links };
      },
    };
    const current = { ...info, costMicros: run?.costMicros ?? info.costMicros };
    try {
      await sink.handle(event, current, state);
    } catch (error) {
      const reason = describe(error);
      const key = `${sink.name}:${reason}`;
      if (this.reported.has(key)) return;
      this.reported.add(key);
      this.log.warn({ run: info.id, sink: sink.name, reason }, `${sink.name} mirror failed; the run goes on`);
      await state.set(`${sink.name}Error`, reason).catch(() => undefined);
    }
  }
}

/** A reason without secrets: a Web API's error code (Slack's), a RemoteError's message, or the error's name. */
function describe(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  if (typeof data?.error === "string") return data.error;
  if (error instanceof RemoteError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.name : "unknown error";
}
