import type { KeySource } from "./task-tracker.js";

/**
 * Reading a tracker's issue key (`ABC-123`) out of GitHub text, for every tracker alike: only text
 * by people with write access counts, a key is a whole word (not part of `XABC-1` or `ABC-1b`),
 * and inside an address only as the issue of the tracker's own link (Jira's `…/browse/ABC-9`,
 * Linear's `…/issue/ENG-9`), since a key that is a path or a file name anywhere else names no issue.
 */

/**
 * The first key of `project` in the writers' texts, in the order given. `project` must already be
 * known to be a project key of the tracker (capitals, digits, `_`): it becomes part of a pattern.
 * `linkPrefix` is the path before a key in the tracker's links, such as `/browse/`.
 */
export function findIssueKey(sources: readonly KeySource[], project: string, linkPrefix: string): string | undefined {
  if (!/^[A-Z][A-Z0-9_]*$/.test(project)) return undefined;
  // No letter, digit or `_` on either side. A hyphen may follow, as in a branch named after its
  // issue (`ABC-12-fix-login` is ABC-12), or precede (`fix-ABC-12`).
  const key = new RegExp(`(?<![A-Za-z0-9_])${project}-[1-9]\\d*(?![A-Za-z0-9_])`, "g");
  const link = new RegExp(`${linkPrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(${project}-[1-9]\\d*)(?![A-Za-z0-9_])`);
  for (const source of sources) {
    if (!source.byWriter) continue;
    const found = firstKey(source.text, key, link);
    if (found) return found;
  }
  return undefined;
}

// An address as it appears in text: a scheme, then anything up to white space or markup around it.
const ADDRESS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"'`()[\]]+/gi;

function firstKey(text: string, key: RegExp, link: RegExp): string | undefined {
  let best: { at: number; key: string } | undefined;
  const consider = (at: number, found: string) => {
    if (!best || at < best.at) best = { at, key: found };
  };
  // Addresses are blanked out of the prose (same length, so positions hold) and read on their own.
  const prose = text.replace(ADDRESS, (address, at: number) => {
    const linked = link.exec(address)?.[1];
    if (linked) consider(at, linked);
    return " ".repeat(address.length);
  });
  key.lastIndex = 0;
  const inProse = key.exec(prose);
  if (inProse) consider(inProse.index, inProse[0]);
  return best?.key;
}
