import { setTimeout as sleep } from "node:timers/promises";
import { formatUsd } from "../../core/format.js";
import type { Notifier, NotifierMessage } from "../kinds/notifier.js";
import { type MirrorState, type RunEvent, type RunInfo, STATUS_TEXT, type StatusSink } from "../kinds/status.js";

/**
 * A run in Slack: one parent message in the configured channel (Block Kit: title, repository,
 * issue or pull request link, status, cost), updated in place with chat.update as the run goes on,
 * and the notable events as replies in its thread. The message's channel and ts are kept on the
 * run, so a resumed run updates its message instead of posting a second one.
 */

const PARENT_WAIT_MS = 10_000;
const NOTABLE = new Set<RunEvent["type"]>(["pr_opened", "review_posted", "succeeded", "failed", "stopped", "budget_exceeded"]);

export class SlackSink implements StatusSink {
  readonly name = "slack";

  constructor(
    private readonly notifier: Notifier,
    private readonly channel: string,
  ) {}

  async handle(event: RunEvent, run: RunInfo, state: MirrorState): Promise<void> {
    const status = event.type === "step" ? `${STATUS_TEXT.step}: ${event.step} ${event.status}` : STATUS_TEXT[event.type];
    const message = parentMessage(run, status);
    let ts = state.get("slackTs");
    // The message could not be posted (the error is on the run): nothing to update.
    if (!ts && state.get("slackError")) return;
    const first = !ts && (await state.claim("slack-parent"));
    // "Queued" only ever starts the message: when the run got there first, it is already past queued.
    if (event.type === "queued" && !first) return;
    if (first) {
      const posted = await this.notifier.post(message, this.channel);
      if (!posted.id) return;
      await state.set("slackChannel", posted.channel);
      await state.set("slackTs", posted.id);
      // slack.com/archives opens the message in whichever workspace the reader is signed in to.
      await state.set("slackThread", `https://slack.com/archives/${encodeURIComponent(posted.channel)}/p${posted.id.replace(".", "")}`);
    } else {
      // Another process (the intake, announcing the queued run) is posting the message: wait for it.
      for (let waited = 0; !ts && waited < PARENT_WAIT_MS; waited += 100) {
        await sleep(100);
        await state.reload();
        ts = state.get("slackTs");
      }
      if (!ts) return;
      await this.notifier.update({ channel: state.get("slackChannel") ?? this.channel, id: ts }, message);
    }
    const channel = state.get("slackChannel") ?? this.channel;
    if (!NOTABLE.has(event.type)) return;
    // Each notable event once in the thread, even when a resumed run emits it again.
    const replied = `slackReply_${event.type}`;
    if (state.get(replied)) return;
    const parent = state.get("slackTs");
    if (!parent) return;
    const reply = await this.notifier.reply({ channel, id: parent }, { text: threadText(event, run) });
    if (reply.id) await state.set(replied, reply.id);
  }
}

function parentMessage(run: RunInfo, status: string): NotifierMessage {
  const target = `${run.repo}#${run.number}`;
  const title = run.title ? `${target}: ${run.title}` : target;
  const text = `${run.task} — ${title} — ${status}`;
  const blocks = [
    { type: "section", text: { type: "mrkdwn", text: `*<${run.url}|${escape(title)}>*\n${escape(run.task)} for ${escape(run.actor)}` } },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Repository*\n${escape(run.repo)}` },
        { type: "mrkdwn", text: `*Status*\n${escape(status)}` },
        { type: "mrkdwn", text: `*${run.kind === "pull_request" ? "Pull request" : "Issue"}*\n<${run.url}|#${run.number}>` },
        { type: "mrkdwn", text: `*Cost*\n${formatUsd(run.costMicros)}` },
      ],
    },
    { type: "context", elements: [{ type: "mrkdwn", text: `<${run.runUrl}|Run details>` }] },
  ];
  return { text, blocks };
}

function threadText(event: RunEvent, run: RunInfo): string {
  switch (event.type) {
    case "pr_opened":
      return `Pull request opened: ${event.url}`;
    case "review_posted":
      return `Review posted with ${event.findings} finding${event.findings === 1 ? "" : "s"}: ${event.url}`;
    case "succeeded":
      return `Done · cost ${formatUsd(run.costMicros)}${event.summary ? `\n${escape(event.summary)}` : ""}`;
    case "failed":
      return `Failed: ${escape(event.message)}`;
    case "stopped":
      return `Stopped by ${escape(event.by)}`;
    case "budget_exceeded":
      return escape(event.message);
    default:
      return STATUS_TEXT[event.type];
  }
}

/** Slack's mrkdwn needs &, < and > escaped in text that is not a link. */
function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
