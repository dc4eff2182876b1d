/**
 * The part of a failed command's output a person needs: the lines that say why, wherever they are,
 * and the end. The end alone loses the reason when a tool writes it first and advice after it —
 * npm's `Missing script: "lint"` is followed by "Did you mean this?", a list of scripts and the
 * log's path, so the last five lines say nothing of what went wrong.
 */

/** Lines that name a failure, in the words compilers, test runners and package managers use. */
const ERROR_LINE =
  /\b(error|errors|err!|failed|failure|failures|fail|fatal|exception|panic|panicked|traceback|missing|not found|cannot|can't|unable to|denied|refused|no such|assertion|expected)\b|✗|✖|×/i;
/** Colour and cursor codes, which a tracking comment would show as noise. */
// eslint-disable-next-line no-control-regex -- the escape character is what these codes start with
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

const TAIL_LINES = 5;
const MAX_ERROR_LINES = 8;
const MAX_LINE_LENGTH = 300;

function cleanLines(text: string): string[] {
  return text
    .replace(ANSI, "")
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .map((line) => (line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH - 1)}…` : line));
}

/** The error-looking lines of `text`, at most `max`, in their order, blank and repeated ones left out. */
export function errorLines(text: string, max = MAX_ERROR_LINES): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  for (const line of cleanLines(text)) {
    const key = line.trim();
    if (key === "" || seen.has(key) || !ERROR_LINE.test(line)) continue;
    seen.add(key);
    found.push(line);
    if (found.length === max) break;
  }
  return found;
}

/**
 * What a failure message quotes of a command's output: the error-looking lines from before the
 * end (standard error's, then standard output's), a "…" where lines were left out, and the last
 * five lines of standard error, or of standard output when standard error is empty.
 */
export function failureExcerpt(stdout: string, stderr: string): string {
  const main = stderr.trim() ? stderr : stdout;
  const lines = cleanLines(main.trim());
  if (lines.length === 1 && lines[0] === "") return "";
  const tail = lines.slice(-TAIL_LINES);
  const before = lines.slice(0, -TAIL_LINES).join("\n");
  const other = main === stderr ? stdout : "";
  const inTail = new Set(tail.map((line) => line.trim()));
  const reasons = [...errorLines(before), ...errorLines(other)].filter((line) => !inTail.has(line.trim())).slice(0, MAX_ERROR_LINES);
  if (reasons.length === 0) return `${lines.length > TAIL_LINES ? "…\n" : ""}${tail.join("\n")}`;
  return [...reasons, "…", ...tail].join("\n");
}
