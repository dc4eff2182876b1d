/**
 * The one redactor. Every secret value the process knows — the App's private key, the webhook
 * secret, API keys, each installation token it receives — is registered here the moment the
 * process learns it, and every exit (log lines, GitHub, Slack and Jira bodies, what is stored on a
 * run, what /runs serves) passes its text through `redact`. A secret that reached a step's output
 * or an error message once went on to the tracking comment, the run's row and the log.
 *
 * Imports nothing of ours, so any layer may use it.
 */

export const REDACTED = "[redacted]";

/**
 * Values shorter than this are not secrets worth the damage: replacing every "test" or "1234" in
 * a comment would mangle it, and no key, secret or token we hold is this short.
 */
export const MIN_SECRET_LENGTH = 8;
/** An expired token opens nothing; it is still kept a while, for text written while it was valid. */
const KEPT_AFTER_EXPIRY_MS = 24 * 60 * 60_000;
/** Tokens renew every hour per run; past this many the oldest are forgotten first. */
const MAX_ENTRIES = 10_000;

/**
 * `scheme://user:password@` in any URL: the userinfo goes, the address stays. The userinfo stops at
 * characters that end a URL in JSON, Markdown or Slack text, so a match never runs past its URL.
 */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"\\<>()[\]{}|]+@/gi;

const PEM_BODY_LINE = /^[A-Za-z0-9+/=]{16,}$/;

/**
 * The app's own API tokens, `aia_` and 32 random bytes in base64url: known by their form, since the
 * process never holds their secrets to register (only the hashes) yet a person may paste one into
 * an issue, a command or a log line. Longer runs go whole: a token glued to other text still leaks.
 */
const API_TOKEN = /aia_[A-Za-z0-9_-]{43,}/g;

/** The forms a value takes in the text that leaves the process. */
function formsOf(value: string): string[] {
  const forms = new Set([
    value,
    // Inside a JSON string: a log line, a JSON body quoted in an error message.
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    Buffer.from(value).toString("base64"),
    Buffer.from(value).toString("base64url"),
    // The Basic credentials git and GitHub take a token in.
    Buffer.from(`x-access-token:${value}`).toString("base64"),
  ]);
  // A PEM key cut or re-wrapped on the way (a truncated output, a stack trace) still leaks its
  // lines: each line of its body is a secret of its own.
  if (value.includes("-----BEGIN")) {
    for (const line of value.split(/\r?\n/)) if (PEM_BODY_LINE.test(line.trim())) forms.add(line.trim());
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

interface Entry {
  forms: string[];
  /** Epoch ms; undefined for secrets that never expire (keys, API tokens). */
  expiresAt: number | undefined;
}

export class Redactor {
  private readonly entries = new Map<string, Entry>();
  /** Every form of every value, longest first; rebuilt after a change. */
  private sorted: string[] | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Registers a secret. Values shorter than MIN_SECRET_LENGTH are ignored. `expiresAt` for tokens,
   * which are forgotten a day after they expire.
   */
  add(value: string | undefined | null, options: { expiresAt?: Date | number } = {}): void {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) return;
    const expiresAt = options.expiresAt === undefined ? undefined : Number(options.expiresAt);
    const known = this.entries.get(value);
    if (known && known.expiresAt === undefined) return;
    this.entries.delete(value); // re-added entries move to the end, the newest
    this.entries.set(value, { forms: formsOf(value), expiresAt: Number.isNaN(expiresAt) ? undefined : expiresAt });
    this.prune();
    this.sorted = undefined;
  }

  /** How many values are registered, for tests and diagnostics. */
  get size(): number {
    return this.entries.size;
  }

  /** `text` without any registered value (in any of its forms) and without credentials in URLs. */
  redact(text: string): string {
    let out = text.includes("://") ? text.replace(URL_CREDENTIALS, `$1${REDACTED}@`) : text;
    if (out.includes("aia_")) out = out.replace(API_TOKEN, REDACTED);
    if (out.length < MIN_SECRET_LENGTH) return out;
    for (const form of this.forms()) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return out;
  }

  /**
   * A copy of `value` with every string (and key) of its arrays and plain objects redacted.
   * Anything else — Dates, Buffers, class instances, functions — is returned as it is.
   */
  redactDeep<T>(value: T): T {
    return this.walk(value, new Set()) as T;
  }

  private walk(value: unknown, path: Set<object>): unknown {
    if (typeof value === "string") return this.redact(value);
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
      if (path.has(value)) return "[circular]";
      path.add(value);
      try {
        return value.map((item) => this.walk(item, path));
      } finally {
        path.delete(value);
      }
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    if (path.has(value)) return "[circular]";
    path.add(value);
    try {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.redact(key), this.walk(item, path)]));
    } finally {
      path.delete(value);
    }
  }

  private forms(): string[] {
    if (!this.sorted) {
      const all = new Set<string>();
      for (const entry of this.entries.values()) for (const form of entry.forms) all.add(form);
      // Longest first: a key goes whole before its lines are looked for.
      this.sorted = [...all].sort((a, b) => b.length - a.length);
    }
    return this.sorted;
  }

  private prune(): void {
    const cutoff = this.now() - KEPT_AFTER_EXPIRY_MS;
    for (const [value, entry] of this.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt < cutoff) this.entries.delete(value);
    }
    for (const [value, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES) break;
      // Never forget a key or an API token, only the oldest tokens.
      if (entry.expiresAt !== undefined) this.entries.delete(value);
    }
  }
}

/** The process-wide registry every exit uses. */
export const secrets = new Redactor();

/** Registers a secret value with the process-wide redactor (see Redactor.add). */
export function registerSecret(value: string | undefined | null, options?: { expiresAt?: Date | number }): void {
  secrets.add(value, options);
}

/** `text` without any secret the process knows, nor credentials in URLs. */
export function redact(text: string): string {
  return secrets.redact(text);
}

/** `value` with every string of its arrays and plain objects redacted; see Redactor.redactDeep. */
export function redactDeep<T>(value: T): T {
  return secrets.redactDeep(value);
}

/**
 * Credentials known by their shape: GitHub's tokens, Anthropic's and Slack's keys, AWS access key
 * ids, private keys (a cut one to the end of the text). What a command prints may hold secrets the
 * process never learned — a repository's own `.env`, a tool that echoes its configuration — so
 * `redact`, which knows only registered values, cannot find them.
 */
const TOKEN_SHAPES: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bsk-ant-[A-Za-z0-9_-]{16,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** `text` without the secrets the process knows nor anything shaped like a credential: for what commands and tools print. */
export function redactOutput(text: string): string {
  let out = redact(text);
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, REDACTED);
  return out;
}
