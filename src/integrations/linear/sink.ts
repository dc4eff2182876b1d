import type { MirrorState, RunEvent, RunInfo, StatusSink } from "../kinds/status.js";
import { TRACKER_COMMENTED, trackerCommentLink, trackerCommentLinkText, trackerCommentText } from "../kinds/tracker-comment.js";
import { isLinearKey } from "./key.js";
import { type LinearSettings, linearStateEvents } from "./settings.js";
import type { LinearTracker } from "./tracker.js";

/**
 * A run in Linear: the issue the run names (`ENG-123`, of the configured team, read by
 * findLinearKey from text by people with write access, given as the run's task key) gets a
 * comment for each notable event, moves to the configured workflow states, and has the pull
 * request attached once (an attachment at the pull request's address, which Linear keeps once per
 * issue). A comment or attachment already made for an event is not made again by a resumed run.
 */

export class LinearSink implements StatusSink {
  readonly name = "linear";

  constructor(
    private readonly tracker: LinearTracker,
    private readonly settings: LinearSettings,
  ) {}

  async handle(event: RunEvent, run: RunInfo, state: MirrorState): Promise<void> {
    // The sink reads no text itself, so the queued notice (sent before the run has read its key)
    // mirrors nothing, and no title of a stranger's issue is ever taken for a key here.
    const key = run.taskKeys?.[this.name];
    if (!key || !isLinearKey(key, this.settings.team)) return;
    if (state.get("linearKey") !== key) await state.set("linearKey", key);
    // The address the dashboard links the run to.
    if (!state.get("linearIssue")) await state.set("linearIssue", await this.tracker.issueUrl(key));

    // Kept by its id, not its address: the run's links that are addresses are shown as links.
    if (event.type === "pr_opened" && !state.get("linearAttachment")) {
      await state.set("linearAttachment", await this.tracker.attach(key, { url: event.url, title: `${run.repo}: ${run.title ?? `#${run.number}`}` }));
    }
    if (TRACKER_COMMENTED.has(event.type)) {
      const posted = `linearComment_${event.type}`;
      if (!state.get(posted)) {
        const comment = await this.tracker.comment(key, trackerCommentText(event, run), { href: trackerCommentLink(event, run), text: trackerCommentLinkText(event) });
        await state.set(posted, comment.id);
      }
    }
    const stateEvent = event.type === "budget_exceeded" ? "failed" : event.type;
    if ((linearStateEvents as readonly string[]).includes(stateEvent)) {
      const name = this.settings.states[stateEvent as (typeof linearStateEvents)[number]];
      if (name) await this.tracker.transition(key, name);
    }
  }
}
