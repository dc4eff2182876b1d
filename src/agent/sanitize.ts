/**
 * Text people wrote (issue and pull request titles, bodies, comments) as a reader of it on GitHub
 * sees it, before it reaches the model: what does not render is removed, since it is where
 * instructions are hidden from the people who asked for the run. That is HTML comments, hidden
 * elements and what GitHub strips with its content (script, style), comment-style link
 * definitions, zero-width, bidirectional and other invisible characters (tag characters and
 * variation selectors carry whole "invisible" texts) — also when written as character references
 * (`&#8203;`, `&ZeroWidthSpace;`) — image alt text (an image shows its picture, not its alt), link
 * titles (shown only on hover) and HTML attributes (`<img alt>`, `<a title>`). Visible text stays:
 * `<details>` and `<summary>` show theirs, and an escaped `&lt;!-- … --&gt;` renders as text, so
 * it is kept.
 */

// Each of these characters is to be removed on its own, combining marks and selectors included.
/* eslint-disable no-misleading-character-class */
const INVISIBLE =
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB\u{1D173}-\u{1D17A}\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;
const IS_INVISIBLE = new RegExp(INVISIBLE.source, "u");
/* eslint-enable no-misleading-character-class */
const HTML_COMMENT = /<!--[\s\S]*?(-->|$)/g;
/** `[//]: # (hidden)`, `[comment]: <> (hidden)` and other link definitions used as comments. */
const MARKDOWN_COMMENT = /^\s*\[[^\]]*\]:\s*(#|<>)\s*(\([^)]*\)|"[^"]*"|'[^']*')?\s*$/gm;
const HIDDEN_ELEMENT = /<(\w+)\b[^>]*(\bhidden\b|display\s*:\s*none|visibility\s*:\s*hidden)[^>]*>[\s\S]*?<\/\1\s*>/gi;
const UNRENDERED_ELEMENT = /<(script|style|template|noscript)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi;

/** An HTML attribute as CommonMark reads one (quoted values may hold `>`). */
const ATTRIBUTE = String.raw`\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>` + "`" + String.raw`]+))?`;
const HTML_IMAGE = new RegExp(String.raw`<img(?:${ATTRIBUTE})*\s*/?>`, "gi");
const HTML_OPEN_TAG = new RegExp(String.raw`<([A-Za-z][A-Za-z0-9-]*)(?:${ATTRIBUTE})+\s*(/?)>`, "g");

/** `![alt](src "title")`, `![alt][ref]`, `![alt]`: alt text may hold one level of brackets. */
const MARKDOWN_IMAGE = /!\[(?:[^[\]\\]|\\.|\[(?:[^[\]\\]|\\.)*\])*\](?:\((?:[^()"'\\]|\\.|"[^"]*"|'[^']*'|\([^()]*\))*\)|\[[^\]]*\])?/g;
/** The title of an inline link: `[text](dest "title")`, `'title'` or `(title)`. */
const LINK_TITLE = /(\]\(\s*(?:<[^>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*))\s+(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))\s*\)/g;
/** The title of a link definition: `[ref]: dest "title"`, possibly on the next line. */
const DEFINITION_TITLE = /^( {0,3}\[[^\]\n]+\]:[ \t]*(?:<[^>\n]*>|\S+))[ \t]*\n?[ \t]*(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\))[ \t]*$/gm;

const CHARACTER_REFERENCE = /&(?:#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;
/** HTML's names for invisible characters (the rest of its 2,000 names are visible). */
const INVISIBLE_NAMES = new Set([
  "ZeroWidthSpace",
  "NegativeVeryThinSpace",
  "NegativeThinSpace",
  "NegativeMediumSpace",
  "NegativeThickSpace",
  "zwj",
  "zwnj",
  "lrm",
  "rlm",
  "shy",
  "NoBreak",
  "ApplyFunction",
  "af",
  "InvisibleTimes",
  "it",
  "InvisibleComma",
  "ic",
]);

export function sanitize(text: string): string {
  return text
    .normalize("NFC")
    .replace(CHARACTER_REFERENCE, invisibleReference)
    .replace(HTML_COMMENT, "")
    .replace(HIDDEN_ELEMENT, "")
    .replace(UNRENDERED_ELEMENT, "")
    .replace(MARKDOWN_COMMENT, "")
    .replace(HTML_IMAGE, "[image]")
    .replace(MARKDOWN_IMAGE, "[image]")
    .replace(LINK_TITLE, "$1)")
    .replace(DEFINITION_TITLE, "$1")
    .replace(HTML_OPEN_TAG, "<$1$2>")
    .replace(INVISIBLE, "")
    .replace(/\r\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A reference to an invisible character goes; any other is left as written, for the model to read. */
function invisibleReference(reference: string, decimal?: string, hex?: string, name?: string): string {
  if (name !== undefined) return INVISIBLE_NAMES.has(name) ? "" : reference;
  const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
  return code <= 0x10ffff && IS_INVISIBLE.test(String.fromCodePoint(code)) ? "" : reference;
}
