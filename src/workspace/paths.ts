import { constants, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { type FileHandle, lchown, lstat, mkdir, open, readlink, realpath, stat } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";

/**
 * Where the agent's tools may read and write: the one path policy the editor, the search tools,
 * the instructions loader and the repository map all go through. Every path the model names is
 * resolved against the workspace one component at a time (lstat, not realpath alone, which throws
 * on a dangling link) and refused when it could reach anything else: `..` segments, absolute paths
 * outside the workspace, links that lead out or nowhere, and `.git`. Writes are further refused
 * when the path is itself a link (a dangling one would create its target wherever it points), under
 * the protected globs (unless the configuration allows them), and outside `allowed` when a workflow
 * limits edits (the docs workflow).
 *
 * The checks run on paths, and a sandboxed command could swap a directory for a link between a
 * check and a use. So `readFile` and `writeFile` also check the file they actually opened: opened
 * with O_NOFOLLOW, then its real location read back from the descriptor (`/proc/self/fd`), and
 * only then read or written through that descriptor.
 */

export class PathRefused extends Error {
  override name = "PathRefused";
}

export interface PathRules {
  /** Globs the agent may not edit, besides ALWAYS_PROTECTED; matched case-insensitively. */
  protectedPaths: readonly string[];
  /** Turns off all protection: ALWAYS_PROTECTED and `protectedPaths`. */
  allowProtected: boolean;
  /** When set, the only globs the agent may edit. */
  allowed?: readonly string[];
  /**
   * Who owns what the editor creates or writes. Set when the app runs as root and the sandbox as
   * another uid, which must still be able to change the agent's files.
   */
  owner?: { uid: number; gid: number };
}

/**
 * Protected unless the configuration allows them: CI and its actions, the app's own config and
 * CODEOWNERS (all under `.github`), and git hook folders a developer's tooling would run.
 */
export const ALWAYS_PROTECTED: readonly string[] = [".github/**", ".husky/**", ".githooks/**"];
/** The repository's root as the model sees it. */
export const VIRTUAL_ROOT = "/repo";

/** A file git lists, where it really is (a link inside the workspace resolved). */
export interface WorkspaceEntry {
  absolute: string;
  isFile: boolean;
}

/** `.git` as any segment, however cased: case-insensitive filesystems (and git itself) treat `.GIT` as `.git`. */
function isGitPath(relative: string): boolean {
  return relative.split("/").some((segment) => segment.toLowerCase() === ".git");
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}

export class PathPolicy {
  readonly root: string;
  /** The globs writes are refused under; empty when the configuration allows protected paths. */
  readonly protectedGlobs: readonly string[];
  private readonly isProtected: (file: string) => boolean;
  private readonly isAllowed: (file: string) => boolean;

  constructor(
    workspace: string,
    private readonly rules: PathRules,
  ) {
    this.root = realpathSync(workspace);
    this.protectedGlobs = rules.allowProtected ? [] : [...new Set([...ALWAYS_PROTECTED, ...rules.protectedPaths])];
    const protectedGlobs = [...this.protectedGlobs];
    this.isProtected = protectedGlobs.length > 0 ? picomatch(protectedGlobs, { dot: true, nocase: true }) : () => false;
    this.isAllowed = rules.allowed ? picomatch([...rules.allowed], { dot: true }) : () => true;
  }

  /** The workspace-relative path (with `/`), for messages and globs. */
  relative(absolute: string): string {
    return path.relative(this.root, absolute).split(path.sep).join("/") || ".";
  }

  /**
   * Whether the rules let the agent change this workspace-relative path: protected globs, the
   * allowed globs and `.git`, without looking at the filesystem (for changes made by a shell).
   */
  mayWrite(relative: string): boolean {
    const file = relative.replace(/^(\.\/|\/)+/, "");
    return file !== "" && file !== "." && !isGitPath(file) && !this.isProtected(file) && this.isAllowed(file);
  }

  /** An absolute path inside the workspace that may be read (links inside resolved). */
  forRead(requested: string): string {
    return this.resolve(requested, false).absolute;
  }

  /** An absolute path inside the workspace that may be written: not a link, not protected. */
  forWrite(requested: string): string {
    const { absolute, lexical } = this.resolve(requested, true);
    const relative = this.relative(absolute);
    if (relative === ".") throw new PathRefused("the workspace root is not a file");
    // Both names count: `docs-link/x` may really be `.github/x`.
    for (const name of new Set([lexical, relative])) {
      if (this.isProtected(name)) throw new PathRefused(`${name} is a protected path; the repository's configuration does not let the agent edit it`);
    }
    if (!this.isAllowed(relative)) {
      throw new PathRefused(`${relative} is outside the paths this workflow may edit (${(this.rules.allowed ?? []).join(", ")})`);
    }
    return absolute;
  }

  /** A file's bytes, read through a descriptor that was checked to be inside the workspace. */
  async readFile(requested: string, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
    const absolute = this.forRead(requested);
    const handle = await this.openChecked(absolute, constants.O_RDONLY, requested, false);
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) throw new PathRefused(`${requested} is over ${describeBytes(maxBytes)}`);
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  async readText(requested: string, maxBytes?: number): Promise<string> {
    return (await this.readFile(requested, maxBytes)).toString("utf8");
  }

  /**
   * Writes a file (creating it and its directories when missing) through a descriptor opened
   * without following links and checked to be inside the workspace; gives the real path written.
   */
  async writeFile(requested: string, data: string | Uint8Array): Promise<string> {
    const absolute = this.forWrite(requested);
    await this.makeDirectories(path.dirname(absolute), requested);
    const handle = await this.openChecked(absolute, constants.O_WRONLY | constants.O_CREAT, requested, true);
    try {
      // A hard link would carry the write to wherever its other names are.
      if ((await handle.stat()).nlink > 1) throw new PathRefused(`${requested} has other hard links; the agent does not write through links`);
      await this.claim(handle);
      // Truncated only now, after the checks, so a refused write leaves the file as it was.
      await handle.truncate(0);
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    return absolute;
  }

  /**
   * A workspace-relative path as git lists it, when it may be read: undefined for links that lead
   * out or nowhere, `.git` and missing files. Only links need more than one lstat.
   */
  async lookup(relative: string): Promise<WorkspaceEntry | undefined> {
    const absolute = path.join(this.root, relative);
    if (!this.contains(absolute) || isGitPath(this.relative(absolute))) return undefined;
    const info = await lstat(absolute).catch(() => undefined);
    if (!info) return undefined;
    if (!info.isSymbolicLink()) return { absolute, isFile: info.isFile() };
    const real = await realpath(absolute).catch(() => undefined);
    if (!real || !this.contains(real) || isGitPath(this.relative(real))) return undefined;
    const target = await stat(real).catch(() => undefined);
    return target && { absolute: real, isFile: target.isFile() };
  }

  private contains(absolute: string): boolean {
    return absolute === this.root || absolute.startsWith(this.root + path.sep);
  }

  /** The real path, and the workspace-relative path as asked (for globs). */
  private resolve(requested: string, write: boolean): { absolute: string; lexical: string } {
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
    const lexical = this.relative(candidate);
    const refuseGit = (relative: string) => {
      if (isGitPath(relative)) throw new PathRefused(`${text} is inside .git; the agent works on files, git is run for it`);
    };
    refuseGit(lexical);
    if (lexical === ".") return { absolute: this.root, lexical };

    const parts = lexical.split("/");
    let current = this.root;
    for (const [index, part] of parts.entries()) {
      const next = path.join(current, part);
      let info;
      try {
        info = lstatSync(next);
      } catch (error) {
        // The rest does not exist yet: nothing below can be a link.
        if (errorCode(error) === "ENOENT") return { absolute: path.join(next, ...parts.slice(index + 1)), lexical };
        if (errorCode(error) === "ENOTDIR") throw new PathRefused(`${text}: ${this.relative(current)} is not a directory`);
        throw error;
      }
      if (!info.isSymbolicLink()) {
        current = next;
        continue;
      }
      const real = this.realOfLink(next);
      if (real === undefined || !this.contains(real)) {
        throw new PathRefused(this.pointsInside(next) ? `${text} is a link that leads nowhere` : `${text} leads outside the repository`);
      }
      refuseGit(this.relative(real));
      if (write && index === parts.length - 1) {
        throw new PathRefused(`${text} is a symbolic link; the agent does not write through links (edit ${VIRTUAL_ROOT}/${this.relative(real)} instead)`);
      }
      current = real;
    }
    return { absolute: current, lexical };
  }

  /** Whether a link's own text points inside (for the message only: a dangling link is refused either way). */
  private pointsInside(link: string): boolean {
    try {
      return this.contains(path.resolve(path.dirname(link), readlinkSync(link)));
    } catch {
      return false;
    }
  }

  private realOfLink(link: string): string | undefined {
    try {
      return realpathSync(link);
    } catch {
      return undefined; // dangling, a loop, or unreadable
    }
  }

  /** Opens `absolute` without following a final link, and checks where the descriptor really is. */
  private async openChecked(absolute: string, flags: number, requested: string, write: boolean): Promise<FileHandle> {
    let handle: FileHandle;
    try {
      // O_NONBLOCK: a FIFO left in the worktree must not hang the open; it is refused below.
      handle = await open(absolute, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o666);
    } catch (error) {
      const code = errorCode(error);
      if (code === "ELOOP") throw new PathRefused(`${requested} is a symbolic link; the agent does not ${write ? "write" : "read"} through links here`);
      if (code === "ENOENT") throw new PathRefused(`${requested} does not exist`);
      if (code === "EISDIR") throw new PathRefused(`${requested} is a directory`);
      if (code === "ENXIO") throw new PathRefused(`${requested} is not a regular file`);
      throw error;
    }
    try {
      const where = await this.locationOf(handle, absolute);
      const relative = this.relative(where);
      if (!this.contains(where) || isGitPath(relative)) throw new PathRefused(`${requested} leads outside the repository`);
      if (write && !this.mayWrite(relative)) throw new PathRefused(`${relative} may not be written`);
      if (!(await handle.stat()).isFile()) throw new PathRefused(`${requested} is not a regular file`);
      return handle;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Where an open descriptor really is: from /proc on Linux; elsewhere the path's real location, if it is still that file. */
  private async locationOf(handle: FileHandle, absolute: string): Promise<string> {
    try {
      return await readlink(`/proc/self/fd/${handle.fd}`);
    } catch {
      const [real, opened] = await Promise.all([realpath(absolute), handle.stat()]);
      const named = await stat(real);
      if (named.dev !== opened.dev || named.ino !== opened.ino) throw new PathRefused(`${absolute} changed while it was opened`);
      return real;
    }
  }

  /** Creates the missing directories of `dir`, one at a time, refusing links that lead out. */
  private async makeDirectories(dir: string, requested: string): Promise<void> {
    const relative = this.relative(dir);
    if (relative === ".") return;
    let current = this.root;
    for (const part of relative.split("/")) {
      const next = path.join(current, part);
      try {
        await mkdir(next);
        await this.claim(next);
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw error;
      }
      const info = await lstat(next);
      if (info.isSymbolicLink()) {
        const real = await realpath(next).catch(() => undefined);
        if (!real || !this.contains(real) || isGitPath(this.relative(real))) throw new PathRefused(`${requested} leads outside the repository`);
        current = real;
      } else if (info.isDirectory()) current = next;
      else throw new PathRefused(`${requested}: ${this.relative(next)} is not a directory`);
    }
  }

  /** Hands a file or directory the editor made or wrote to the configured owner (the sandbox's uid). */
  private async claim(target: string | FileHandle): Promise<void> {
    const owner = this.rules.owner;
    if (!owner) return;
    if (typeof target === "string") await lchown(target, owner.uid, owner.gid);
    else await target.chown(owner.uid, owner.gid);
  }
}
