import { findIssueKey } from "../kinds/issue-key.js";
import type { KeySource } from "../kinds/task-tracker.js";

/**
 * A Linear issue's identifier (`ENG-123`: its team's key, a hyphen, a number), read from GitHub
 * text the way every tracker's key is (kinds/issue-key.ts): by writers only, as a whole word, and
 * in an address only as the issue of a Linear link (`https://linear.app/acme/issue/ENG-123/…`).
 */

/** A Linear team's key: a capital, then capitals or digits, as Linear allows them. */
export const TEAM_KEY = /^[A-Z][A-Z0-9]{0,9}$/;

const IDENTIFIER = new RegExp(`^(${TEAM_KEY.source.slice(1, -1)})-([1-9]\\d*)$`);

/** Whether `key` is an issue identifier of `team` (any team when none is given). */
export function isLinearKey(key: string, team?: string): boolean {
  const match = IDENTIFIER.exec(key);
  return match !== null && (team === undefined || match[1] === team);
}

/** The first identifier of `team` in the writers' texts, in the order given. */
export function findLinearKey(sources: readonly KeySource[], team: string): string | undefined {
  // The schema allows only real team keys; anything else must never become part of a pattern.
  if (!isLinearKey(`${team}-1`)) return undefined;
  return findIssueKey(sources, team, "/issue/");
}
