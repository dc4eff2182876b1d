import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";
import { formatUsd } from "../../core/format.js";
import { type RunEvent, type RunInfo, STATUS_TEXT } from "../kinds/status.js";
import type { OutgoingMail } from "./client.js";

/**
 * A run's event as an email: the same subject for every message of a run, a Message-ID made from
 * the run's id, and the first message's id as In-Reply-To and References of the later ones, so a
 * mail client shows one run as one thread. The templates are ours (`prompts/email-run-*.liquid`);
 * the HTML engine escapes every value, which come from issues and the model.
 */

const PROMPTS_DIR = fileURLToPath(new URL("../../../prompts/", import.meta.url));
const options = { root: PROMPTS_DIR, extname: ".liquid", strictVariables: true, strictFilters: true, cache: true } as const;
const textEngine = new Liquid(options);
const htmlEngine = new Liquid({ ...options, outputEscape: "escape" });

/** The Message-ID of the run's first mail (`event` absent) or of its mail for `event`. */
export function messageId(run: RunInfo, event?: RunEvent["type"]): string {
  return `<run-${safePart(run.id)}${event ? `-${event}` : ""}@${mailHost(run.runUrl)}>`;
}

/** The public host the run's page is on (PUBLIC_URL's), which makes its ids unique to this server. */
function mailHost(runUrl: string): string {
  try {
    const host = new URL(runUrl).hostname;
    return /^[a-z0-9.-]+$/i.test(host) && host.length > 0 ? host : "ai-agent";
  } catch {
    return "ai-agent";
  }
}

/** A run id as the left side of a Message-ID allows: letters, digits and a few marks. */
function safePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, "_");
}

export async function runMail(event: RunEvent, run: RunInfo, to: readonly string[], first: boolean): Promise<OutgoingMail> {
  const target = `${run.repo}#${run.number}`;
  const values = {
    run,
    headline: headline(event, target),
    detail: detail(event),
    link: link(event),
    status: STATUS_TEXT[event.type],
    cost: formatUsd(run.costMicros),
    kind: run.kind === "pull_request" ? "Pull request" : "Issue",
  };
  const [text, html] = await Promise.all<unknown>([textEngine.renderFile("email-run-text", values), htmlEngine.renderFile("email-run-html", values)]);
  const root = messageId(run);
  return {
    to,
    // One subject per run: some clients thread by subject as well as by References.
    subject: oneLine(`[ai-agent] ${run.task} ${target}${run.title ? `: ${run.title}` : ""}`),
    text: String(text).replace(/\n{3,}/g, "\n\n").trim(),
    html: String(html),
    messageId: first ? root : messageId(run, event.type),
    ...(first ? {} : { inReplyTo: root, references: root }),
  };
}

function headline(event: RunEvent, target: string): string {
  switch (event.type) {
    case "pr_opened":
      return `Pull request opened for ${target}`;
    case "review_posted":
      return `Review posted on ${target} with ${event.findings} finding${event.findings === 1 ? "" : "s"}`;
    case "succeeded":
      return `Done: ${target}`;
    case "failed":
      return `Failed: ${target}`;
    case "stopped":
      return `Stopped: ${target}`;
    case "budget_exceeded":
      return `Stopped at its budget: ${target}`;
    default:
      return `${STATUS_TEXT[event.type]}: ${target}`;
  }
}

function detail(event: RunEvent): string {
  switch (event.type) {
    case "succeeded":
      return event.summary ?? "";
    case "failed":
    case "budget_exceeded":
      return event.message;
    case "stopped":
      return `Stopped by ${event.by}.`;
    default:
      return "";
  }
}

/** The address the event is about, when it is a web address (no javascript: or data: in a mail). */
function link(event: RunEvent): string {
  const url = event.type === "pr_opened" || event.type === "review_posted" ? event.url : "";
  return /^https?:\/\//i.test(url) ? url : "";
}

/** A header value on one line: a newline in a title must not start a header of its own. */
function oneLine(text: string): string {
  const line = text.replace(/[\r\n\t]+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
