/**
 * HTML built from template literals, escaped by default: every value put in a `html` template is
 * escaped unless it is itself `Html` (made by `html` or, for text we wrote, `trusted`). So a run's
 * title, a step's error or a repository name can never become markup.
 */

const HTML_BRAND = Symbol("html");

export interface Html {
  readonly [HTML_BRAND]: true;
  readonly text: string;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function isHtml(value: unknown): value is Html {
  return typeof value === "object" && value !== null && HTML_BRAND in value;
}

/** Markup we wrote ourselves, such as a fixed SVG path: never anything that came from outside. */
export function trusted(text: string): Html {
  return { [HTML_BRAND]: true, text };
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(value: Part): string {
  if (value === null || value === undefined || value === false || value === true) return "";
  if (Array.isArray(value)) return (value as readonly Part[]).map(render).join("");
  if (isHtml(value)) return value.text;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return escapeHtml(value);
  return "";
}

/** `null`, `undefined` and booleans render as nothing, so `${cond && html`…`}` reads naturally. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? "");
  });
  return trusted(out);
}

/** A URL for an href: only http(s) and our own paths, so a stored `javascript:` link is never clickable. */
export function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  return /^https?:\/\//i.test(url) ? url : undefined;
}
