import type { MirrorState, RunEvent, RunInfo, StatusSink } from "../kinds/status.js";
import { TRACKER_COMMENTED, trackerCommentLink, trackerCommentLinkText, trackerCommentText } from "../kinds/tracker-comment.js";
import { isJiraKey } from "./key.js";
import { type JiraSettings, jiraTransitionEvents } from "./settings.js";
import type { TaskTracker } from "../kinds/task-tracker.js";

/**
 * A run in Jira: the Jira issue the run names (`ABC-123`, in the configured project, read by
 * findJiraKey from text by people with write access, given as the run's task key) gets a comment for each notable event, moves
 * through the configured transitions, and links to the pull request once (a remote link with a
 * stable globalId). A comment already posted for an event is not posted again by a resumed run.
 */

export class JiraSink implements StatusSink {
  readonly name = "jira";

  constructor(
    private readonly tracker: TaskTracker,
    private readonly settings: JiraSettings,
  ) {}

  async handle(event: RunEvent, run: RunInfo, state: MirrorState): Promise<void> {
    // The sink reads no text itself, so the queued notice (sent before the run has read its key)
    // mirrors nothing, and no title of a stranger's issue is ever taken for a key here.
    const key = run.taskKeys?.[this.name];
    if (!key || !isJiraKey(key, this.settings.project)) return;
    if (state.get("jiraKey") !== key) await state.set("jiraKey", key);
    // The address the dashboard links the run to.
    const url = this.tracker.taskUrl?.(key);
    if (url && state.get("jiraIssue") !== url) await state.set("jiraIssue", url);

    if (event.type === "pr_opened") {
      await this.tracker.link(key, { id: `ai-agent:${run.repo}:${event.url}`, url: event.url, title: `${run.repo}: ${run.title ?? `#${run.number}`}` });
    }
    if (TRACKER_COMMENTED.has(event.type)) {
      const posted = `jiraComment_${event.type}`;
      if (!state.get(posted)) {
        const comment = await this.tracker.comment(key, trackerCommentText(event, run), { href: trackerCommentLink(event, run), text: trackerCommentLinkText(event) });
        await state.set(posted, comment.id);
      }
    }
    const transitionEvent = event.type === "budget_exceeded" ? "failed" : event.type;
    if ((jiraTransitionEvents as readonly string[]).includes(transitionEvent)) {
      const name = this.settings.transitions[transitionEvent as (typeof jiraTransitionEvents)[number]];
      if (name) await this.tracker.transition(key, name);
    }
  }
}
