import { findIssueKey } from "../kinds/issue-key.js";
import type { KeySource } from "../kinds/task-tracker.js";

/**
 * The one reading of a Jira issue key out of GitHub text, used by the Jira sink and the jira.*
 * actions alike, and the one shape of a project key, which the settings check too. Three regexes
 * used to disagree here, and the loosest took any `WORD-123`: "Fix UTF-8 decoding" mirrored a run
 * to the Jira issue UTF-8, and a stranger who named a key in his issue's title could have a
 * maintainer's run comment on and move any Jira issue he liked.
 */

/** A Jira project's key: a capital, then capitals, digits or `_`. */
export const PROJECT_KEY = /^[A-Z][A-Z0-9_]+$/;

/** The shape of a Jira issue key: the project's key, a hyphen, a number. */
const KEY_SHAPE = new RegExp(`^(${PROJECT_KEY.source.slice(1, -1)})-([1-9]\\d*)$`);

/** Whether `key` is an issue key of `project` (any project when none is given). */
export function isJiraKey(key: string, project?: string): boolean {
  const match = KEY_SHAPE.exec(key);
  return match !== null && (project === undefined || match[1] === project);
}

/**
 * The first key of `project` in the texts written by people with write access, in the order given;
 * text by anyone else is not read at all. A key is a whole word in capitals: not part of a longer
 * one (`XABC-1`, `ABC-1b`), not `abc-1`; and inside an address only as the issue of a Jira link
 * (`…/browse/ABC-9`), since a key that is a path or a file name anywhere else names no Jira issue.
 */
export function findJiraKey(sources: readonly KeySource[], project: string): string | undefined {
  // The schema allows only real project keys; anything else must never become part of a pattern.
  if (!isJiraKey(`${project}-1`)) return undefined;
  return findIssueKey(sources, project, "/browse/");
}
