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
  // No letter, digit or `_` on either side. A hyphen may follow, as in a branch named after its
  // issue (`ABC-12-fix-login` is ABC-12), or precede (`fix-ABC-12`).
  const key = new RegExp(`(?<![A-Za-z0-9_])${project}-[1-9]\\d*(?![A-Za-z0-9_])`, "g");
  const browseLink = new RegExp(`/browse/(${project}-[1-9]\\d*)(?![A-Za-z0-9_])`);
  for (const source of sources) {
    if (!source.byWriter) continue;
    const found = firstKey(source.text, key, browseLink);
    if (found) return found;
  }
  return undefined;
}

// An address as it appears in text: a scheme, then anything up to white space or markup around it.
const ADDRESS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"'`()[\]]+/gi;

function firstKey(text: string, key: RegExp, browseLink: RegExp): string | undefined {
  let best: { at: number; key: string } | undefined;
  const consider = (at: number, found: string) => {
    if (!best || at < best.at) best = { at, key: found };
  };
  // Addresses are blanked out of the prose (same length, so positions hold) and read on their own.
  const prose = text.replace(ADDRESS, (address, at: number) => {
    const linked = browseLink.exec(address)?.[1];
    if (linked) consider(at, linked);
    return " ".repeat(address.length);
  });
  key.lastIndex = 0;
  const inProse = key.exec(prose);
  if (inProse) consider(inProse.index, inProse[0]);
  return best?.key;
}
