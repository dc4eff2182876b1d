import picomatch from "picomatch";
import type { GitHubClient } from "../integrations/github/client.js";

/**
 * The changed files of a pull request — all of them through the paginated files API, or only those
 * changed since the last reviewed head through the compare API — and which of them to review.
 * Lockfiles, minified, generated and binary files are left out by default, each with its reason,
 * so the summary can say what was not reviewed instead of truncating silently.
 */

export interface ChangedFile {
  path: string;
  status: string;
  additions: number;
  deletions: number;
  /** Absent for binary files and diffs too large for the API. */
  patch?: string;
}

const PER_PAGE = 100;

export async function pullRequestFiles(octokit: GitHubClient, target: { owner: string; repo: string; number: number }): Promise<ChangedFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: target.owner, repo: target.repo, pull_number: target.number, per_page: PER_PAGE });
  return files.map(toChangedFile);
}

/** The files changed between two commits (`base...head`), for an incremental review. */
export async function comparedFiles(octokit: GitHubClient, target: { owner: string; repo: string; base: string; head: string }): Promise<ChangedFile[]> {
  const files: ChangedFile[] = [];
  for (let page = 1; ; page++) {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner: target.owner, repo: target.repo, basehead: `${target.base}...${target.head}`, per_page: PER_PAGE, page });
    const batch = data.files ?? [];
    files.push(...batch.map(toChangedFile));
    if (batch.length < PER_PAGE) return files;
  }
}

function toChangedFile(file: { filename: string; status: string; additions: number; deletions: number; patch?: string | undefined }): ChangedFile {
  return { path: file.filename, status: file.status, additions: file.additions, deletions: file.deletions, ...(file.patch ? { patch: file.patch } : {}) };
}

const LOCKFILES = ["**/package-lock.json", "**/npm-shrinkwrap.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/bun.lockb", "**/Cargo.lock", "**/Gemfile.lock", "**/poetry.lock", "**/Pipfile.lock", "**/composer.lock", "**/go.sum", "**/*.lock"];
const MINIFIED = ["**/*.min.js", "**/*.min.css", "**/*.min.mjs", "**/*.map"];
const GENERATED = ["**/dist/**", "**/build/**", "**/vendor/**", "**/node_modules/**", "**/__snapshots__/**", "**/*.snap", "**/*.pb.go", "**/*_pb2.py", "**/*.generated.*", "**/*_generated.*", "**/*.g.dart"];
const GENERATED_MARKER = /@generated|DO NOT EDIT|auto-?generated/i;

export interface FileFilter {
  /** Review only these globs when given (`triggers.review.paths`). */
  paths: readonly string[];
  ignorePaths: readonly string[];
  skipGenerated: boolean;
}

export type Classified = { review: true } | { review: false; reason: string };

export function fileClassifier(filter: FileFilter): (file: ChangedFile) => Classified {
  const options = { dot: true };
  const only = filter.paths.length > 0 ? picomatch([...filter.paths], options) : () => true;
  const ignored = filter.ignorePaths.length > 0 ? picomatch([...filter.ignorePaths], options) : () => false;
  const lockfile = picomatch(LOCKFILES, options);
  const minified = picomatch(MINIFIED, options);
  const generated = picomatch(GENERATED, options);
  return (file) => {
    if (!only(file.path)) return { review: false, reason: "outside triggers.review.paths" };
    if (ignored(file.path)) return { review: false, reason: "in triggers.review.ignore_paths" };
    if (file.status === "removed") return { review: false, reason: "deleted" };
    if (filter.skipGenerated) {
      if (lockfile(file.path)) return { review: false, reason: "lockfile" };
      if (minified(file.path)) return { review: false, reason: "minified" };
      if (generated(file.path) || GENERATED_MARKER.test(file.patch?.slice(0, 600) ?? "")) return { review: false, reason: "generated" };
    }
    if (!file.patch) return { review: false, reason: file.additions + file.deletions > 0 ? "diff too large for GitHub's API" : "binary" };
    return { review: true };
  };
}
