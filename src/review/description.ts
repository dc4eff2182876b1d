import { sanitize } from "../agent/sanitize.js";

import type { RunSnapshot } from "../core/run.js";

import type { VersionControl } from "../integrations/kinds/version-control.js";


/**
 * What of a pull request's own text reaches the model in a review or an answer: the title and
 * description sanitised like an issue's, and the description only when its author has write
 * access — a PR anyone can open is otherwise a way to instruct the reviewer (issue 13). The app's
 * own pull requests count as written with write access: their text is the app's template over what
 * the agent reported.
 */

export interface PullRequestText {
  title: string;
  /** Empty when withheld (see `bodyWithheld`). */
  body: string;
  /** The description was left out because its author lacks write access. */
  bodyWithheld: boolean;
}

const MAX_BODY = 20_000;

export function pullRequestText(pull: { title: string; body?: string | null | undefined }, authorMayInstruct: boolean): PullRequestText {
  const body = sanitize(pull.body ?? "");
  return {
    title: sanitize(pull.title),
    body: authorMayInstruct ? body.slice(0, MAX_BODY) : "",
    bodyWithheld: !authorMayInstruct && body !== "",
  };
}

/** The pull request's text and author as the forge has it now. */
export interface CurrentPullRequest {
  title: string;
  body?: string | null | undefined;
  author: string | null;
}

/**
 * Asks the forge only when the description has something to withhold. `current` is read only
 * when the run has no snapshot of the text.
 */
export async function readPullRequestText(
  forge: Pick<VersionControl, "canWrite">,
  target: { botLogin?: string | undefined; snapshot?: RunSnapshot | undefined },
  current: CurrentPullRequest | (() => Promise<CurrentPullRequest>),
): Promise<PullRequestText> {
  // The text as the trigger saw it, when the run has it: an edit after the trigger is left out.
  const { snapshot } = target;
  const pull = snapshot ? { title: snapshot.title, body: snapshot.body, author: snapshot.author } : typeof current === "function" ? await current() : current;
  const login = pull.author;
  const mayInstruct = async () => {
    if (!login || !sanitize(pull.body ?? "")) return false;
    if (login === target.botLogin) return true;
    return forge.canWrite(login);
  };
  return pullRequestText(pull, await mayInstruct());
}
