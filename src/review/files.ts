import picomatch from "picomatch";
import type { ChangedFile } from "../integrations/kinds/version-control.js";

/**
 * Which of a pull request's changed files to review — all of them (the forge's `changedFiles`), or
 * only those changed since the last reviewed head (its `compare`). Lockfiles, minified, generated
 * and binary files are left out by default, each with its reason, so the summary can say what was
 * not reviewed instead of truncating silently.
 */

export type { ChangedFile };

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
