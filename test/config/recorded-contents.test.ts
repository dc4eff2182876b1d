import { describe, expect, it } from "vitest";
import type { ConfigRead } from "../../src/core/run.js";
import { recordingContents, replayedContents } from "../../src/config/recorded-contents.js";
import type { RepoContentsClient } from "../../src/config/repo-config.js";
import { loadRepoConfig } from "../../src/workflow/repo-config.js";

/** The intake's reads of a configuration, kept and read again by the run without asking GitHub. */

const ORG = "version: 1\ntriggers:\n  implement_label: org:implement\n_extends: shared/settings:ai-agent.yml\n";
const SHARED = "version: 1\nreview:\n  max_files: 12\n";

/** The contents API as GitHub answers it: a file by its place, 404 elsewhere. */
function contentsOf(files: Record<string, string>, asked: string[]): RepoContentsClient {
  return {
    rest: {
      repos: {
        getContent(params) {
          const place = `${params.owner}/${params.repo}:${params.path}`;
          asked.push(place);
          const text = files[place];
          if (text === undefined) return Promise.reject(Object.assign(new Error("Not Found"), { status: 404 }));
          return Promise.resolve({ data: { type: "file", encoding: "base64", size: text.length, content: Buffer.from(text).toString("base64"), sha: `sha-of-${place}` } });
        },
      },
    },
  };
}

describe("a configuration read once", () => {
  it("keeps every file of the chain and the places with none, and gives the same configuration back without asking again", async () => {
    const asked: string[] = [];
    const github = contentsOf({ "acme/.github:.github/ai-agent.yml": ORG, "shared/settings:ai-agent.yml": SHARED }, asked);
    const reads: ConfigRead[] = [];
    const first = await loadRepoConfig(recordingContents(github, reads), { owner: "acme", repo: "app", ref: "main" });
    expect(first.ok && [first.config.triggers.implement_label, first.config.review.max_files]).toEqual(["org:implement", 12]);
    expect(reads.map((read) => [`${read.owner}/${read.repo}:${read.path}`, read.file?.sha ?? null])).toEqual([
      ["acme/app:.github/ai-agent.yml", null],
      ["acme/.github:.github/ai-agent.yml", "sha-of-acme/.github:.github/ai-agent.yml"],
      ["shared/settings:ai-agent.yml", "sha-of-shared/settings:ai-agent.yml"],
    ]);

    const again = await loadRepoConfig(replayedContents(reads), { owner: "acme", repo: "app", ref: "main" });
    expect(again).toEqual(first);
    expect(asked).toHaveLength(3);
  });

  it("says so when asked for a place it does not hold, instead of taking it for no file", async () => {
    await expect(loadRepoConfig(replayedContents([]), { owner: "acme", repo: "app", ref: "main" })).rejects.toThrow(
      "the run's configuration does not hold acme/app:.github/ai-agent.yml@main",
    );
  });
});
