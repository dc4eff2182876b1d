import { realpathSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";

/**
 * Where the agent's tools may read and write. Every path the model names is resolved against the
 * workspace and refused when it could reach anything else: `..` segments, absolute paths outside
 * the workspace, symlinks that lead out (checked on the real path of the deepest part that exists),
 * and `.git`. Writes are further refused under `.github/workflows/**` and the configured protected
 * paths (unless the configuration allows them), and outside `allowed` when a workflow limits edits
 * (the docs workflow).
 */

export class PathRefused extends Error {
  override name = "PathRefused";
}

export interface PathRules {
  /** Globs the agent may not edit; `.github/workflows/**` is always among them unless allowed. */
  protectedPaths: readonly string[];
  allowProtected: boolean;
  /** When set, the only globs the agent may edit. */
  allowed?: readonly string[];
}

const ALWAYS_PROTECTED = [".github/workflows/**"];
/** The repository's root as the model sees it. */
export const VIRTUAL_ROOT = "/repo";

export class PathPolicy {
  readonly root: string;
  private readonly isProtected: (file: string) => boolean;
  private readonly isAllowed: (file: string) => boolean;

  constructor(
    workspace: string,
    private readonly rules: PathRules,
  ) {
    this.root = realpathSync(workspace);
    const protectedGlobs = [...new Set([...ALWAYS_PROTECTED, ...rules.protectedPaths])];
    this.isProtected = picomatch(protectedGlobs, { dot: true });
    this.isAllowed = rules.allowed ? picomatch([...rules.allowed], { dot: true }) : () => true;
  }

  /** The workspace-relative path (with `/`), for messages and globs. */
  relative(absolute: string): string {
    return path.relative(this.root, absolute).split(path.sep).join("/") || ".";
  }

  /** An absolute path inside the workspace that may be read. */
  forRead(requested: string): string {
    return this.resolve(requested);
  }

  /** An absolute path inside the workspace that may be written. */
  forWrite(requested: string): string {
    const absolute = this.resolve(requested);
    const relative = this.relative(absolute);
    if (relative === ".") throw new PathRefused("the workspace root is not a file");
    if (!this.rules.allowProtected && this.isProtected(relative)) {
      throw new PathRefused(`${relative} is a protected path; the repository's configuration does not let the agent edit it`);
    }
    if (!this.isAllowed(relative)) {
      throw new PathRefused(`${relative} is outside the paths this workflow may edit (${(this.rules.allowed ?? []).join(", ")})`);
    }
    return absolute;
  }

  private resolve(requested: string): string {
    const text = requested.trim();
    if (text === "") throw new PathRefused("an empty path");
    if (text.includes("\0")) throw new PathRefused("a path with a NUL character");
    if (text.split(/[\\/]+/).includes("..")) throw new PathRefused(`${text}: ".." is not allowed; use paths inside the repository`);
    // The model sees the repository at /repo (VIRTUAL_ROOT); relative paths are relative to it.
    let candidate: string;
    if (text === VIRTUAL_ROOT || text.startsWith(`${VIRTUAL_ROOT}/`)) candidate = path.join(this.root, text.slice(VIRTUAL_ROOT.length));
    else if (text === this.root || text.startsWith(this.root + path.sep)) candidate = text;
    else if (path.isAbsolute(text)) throw new PathRefused(`${text} is outside the repository (${VIRTUAL_ROOT})`);
    else candidate = path.join(this.root, text);
    const real = realOfDeepestExisting(candidate);
    if (real !== this.root && !real.startsWith(this.root + path.sep)) throw new PathRefused(`${text} leads outside the repository`);
    const relative = this.relative(real);
    if (relative === ".git" || relative.startsWith(".git/")) throw new PathRefused(`${text} is inside .git; the agent works on files, git is run for it`);
    return real;
  }
}

/** The real path of `candidate`, resolving symlinks in the part that exists and keeping the rest. */
function realOfDeepestExisting(candidate: string): string {
  const missing: string[] = [];
  let current = candidate;
  for (;;) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return candidate;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}
