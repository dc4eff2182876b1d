/**
 * The one reading of a Jira issue key out of GitHub text, used by the Jira mirror and the jira.*
 * actions alike. Three regexes used to disagree here, and the loosest took any `WORD-123`: "Fix
 * UTF-8 decoding" mirrored a run to the Jira issue UTF-8, and a stranger who named a key in his
 * issue's title could have a maintainer's run comment on and move any Jira issue he liked.
 */

/** A text a key may be read from, and whether its author has write access to the repository. */
export interface KeySource {
  text: string;
  byWriter: boolean;
}

/** The shape of a Jira issue key: the project's key (capitals, digits, `_`), a hyphen, a number. */
const KEY_SHAPE = /^([A-Z][A-Z0-9_]+)-([1-9]\d*)$/;

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

/** What a run's key is read from: the item's title and body, and a pull request's head branch. */
export interface KeyTexts {
  title: string;
  body: string;
  /** Who opened the issue or pull request; null when GitHub no longer knows (a deleted account). */
  author: string | null;
  /** The pull request's head branch, whose name its author chose to open it with. */
  headRef?: string;
}

/**
 * The run's texts in the order a key is looked for, each marked with whether its author has write
 * access. All three count as the author's: the title and body of whoever opened the item (edits
 * made after the trigger are a matter for the run's snapshot), and the head branch as the pull
 * request author's — on a fork it is his own, and even on the repository itself it may have been
 * named by a workflow after someone else's issue title, so that it was pushed proves nothing.
 */
export async function keySources(texts: KeyTexts, isWriter: (login: string) => Promise<boolean>): Promise<KeySource[]> {
  const byWriter = texts.author !== null && (await isWriter(texts.author));
  return [texts.title, texts.body, ...(texts.headRef === undefined ? [] : [texts.headRef])].map((text) => ({ text, byWriter }));
}
