import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ModelRun, ModelAccess } from "../../src/agent/model-access.js";
import type { RunSubject } from "../../src/agent/subject.js";
import { AnthropicClient } from "../../src/integrations/anthropic/client.js";
import { defaultRepoConfig } from "../../src/config/repo-config.js";
import type { VersionControl, VersionControlConnector } from "../../src/integrations/kinds/version-control.js";
import { integrations, integrationsOfKind } from "../../src/integrations/registry.js";
import type { Integration } from "../../src/integrations/types.js";
import { review } from "../../src/review/review.js";
import { TrackingComment } from "../../src/runs/tracking-comment.js";
import { type Database, openDatabase } from "../../src/store/open.js";
import { type FakeAnthropic, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import { forgetfulLedger } from "../helpers/ledger.js";
import { MEMFORGE_BOT, type MemoryRepository, memforge, memoryRepository } from "./fixtures/memforge/index.js";

/**
 * The seam of the version-control kind: a forge the app has never heard of, registered beside
 * GitHub, carries a whole review (its check, its line comments, its summary, an incremental
 * second look) and a run's tracking comment — with nothing of it outside its own folder.
 */

const HEAD = "1111111111111111111111111111111111111111";
const PATCH = ["@@ -1,3 +1,3 @@", " export const a = 1;", "-export const b = 2;", "+export const b = 2 / 0;", " export const c = 3;"].join("\n");

const report = (findings: Record<string, unknown>[]) => ({
  content: [{ type: "tool_use" as const, name: "report_findings", input: { overview: "Divides b by zero.", findings } }],
});

describe("a VersionControl integration of its own", () => {
  let anthropic: FakeAnthropic;
  let dir: string;
  let repository: MemoryRepository;
  let forge: VersionControl;

  /** The registry with the throwaway forge added, as its one line would add it. */
  const registry = (fixture: Integration) => new Map<string, Integration>([...integrations, [fixture.id, fixture]]);

  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-memforge-"));
  });
  afterAll(async () => {
    await anthropic.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    repository = memoryRepository();
    repository.writers.add("maintainer");
    repository.changeRequests.set(7, {
      number: 7,
      title: "Compute b",
      body: "Changes b.",
      state: "open",
      draft: false,
      author: "maintainer",
      head: { ref: "feature", sha: HEAD },
      base: { ref: "trunk" },
      url: "memforge://acme/widgets/7",
      files: [{ path: "src/b.ts", status: "modified", additions: 1, deletions: 1, patch: PATCH }],
    });
    const fixture = memforge(new Map([["acme/widgets", repository]]));
    const forges = integrationsOfKind("version-control", registry(fixture).values());
    expect(forges.map((i) => i.id)).toEqual(["github", "memforge"]);
    const connector = fixture.connect({}) as VersionControlConnector;
    forge = await connector.open({ account: "team-1", owner: "acme", repo: "widgets", use: "review" });
  });

  const session = (runId: string): ModelRun => {
    const subject: RunSubject = {
      target: { runId, owner: "acme", repo: "widgets", number: 7, actor: "maintainer", defaultBranch: "trunk", input: "", head: HEAD },
      config: defaultRepoConfig(),
      source: {
        issue: () => Promise.reject(new Error("a review reads no issue")),
        token: () => forge.gitToken(),
        committer: () => Promise.resolve({ name: MEMFORGE_BOT, email: "bot@memforge.test" }),
        requester: () => Promise.resolve({ name: "maintainer", email: "maintainer@memforge.test" }),
        versionControl: forge,
      },
    };
    const model = new ModelAccess({
      provider: new AnthropicClient({ apiKey: "sk-ant-memforge", baseURL: anthropic.url, maxRetries: 0 }),
      store: forgetfulLedger(),
      runId,
      repo: "acme/widgets",
      budgets: subject.config.budgets,
    });
    return { ...subject, model };
  };

  it("publishes a review's line comments, its summary and its check through the forge, and knows the head it reviewed", async () => {
    expect(forge.connection).toBe("memforge:team-1");
    anthropic.push(report([{ path: "src/b.ts", line: 2, side: "RIGHT", severity: "high", category: "bug", body: "Division by zero." }]));
    const outputs = await review(session("run-1"), { full: false });

    expect(outputs.findings).toBe(1);
    expect(repository.reviews).toHaveLength(1);
    const [posted] = repository.reviews;
    expect(posted!.head).toBe(HEAD);
    expect(posted!.body).toMatch(/^<!-- ai-agent:review-run:run-1 -->\n1 finding on lines of the diff/);
    expect(posted!.comments.map((c) => [c.path, c.side, c.line])).toEqual([["src/b.ts", "RIGHT", 2]]);
    expect(posted!.comments[0]!.body).toContain("Division by zero.");
    // The model read the description: its author may instruct (the forge said so).
    expect(anthropic.requests.at(-1)!.raw).toContain("Changes b.");

    expect(repository.comments).toHaveLength(1);
    expect(repository.comments[0]!.body).toMatch(/^<!-- ai-agent:review-summary \{"head":"1{40}","posted":\["[0-9a-f]{16}:R:2-2"\]\} -->\n## ai-agent review of 1111111/);
    expect(outputs.review_url).toBe(posted!.url);

    expect(repository.checks.map((c) => [c.name, c.head, c.externalId])).toEqual([["ai-agent review", HEAD, "run-1"]]);
    const updates = repository.checks[0]!.updates;
    // Started, then the plan with its estimate before the model is called, then the result.
    expect(updates.map((u) => u.status)).toEqual(["in_progress", "in_progress", "completed"]);
    const planned = updates[1]!.status === "in_progress" ? updates[1]!.output : undefined;
    expect(planned?.title).toBe("Reviewing 1 file");
    expect(planned?.summary).toContain("Estimated cost: $");
    expect(updates[2]).toMatchObject({ conclusion: "neutral", title: "1 finding" });

    // A second run on the same head finds the summary by its marker and reviews nothing again.
    const again = await review(session("run-2"), { full: false });
    expect(again.summary).toBe("Already reviewed.");
    expect(repository.reviews).toHaveLength(1);
    expect(repository.checks.at(-1)!.updates.at(-1)).toMatchObject({ conclusion: "success", title: "Already reviewed" });
  });

  it("lists the findings in the review's body when the forge refuses their lines", async () => {
    repository.refuseNextLines = true;
    anthropic.push(report([{ path: "src/b.ts", line: 2, side: "RIGHT", severity: "high", category: "bug", body: "Division by zero." }]));
    await review(session("run-3"), { full: true });
    expect(repository.reviews).toHaveLength(1);
    expect(repository.reviews[0]!.comments).toEqual([]);
    expect(repository.reviews[0]!.body).toContain("- `src/b.ts:2` Division by zero.");
  });

  describe("the tracking comment", () => {
    let database: Database;
    beforeAll(async () => {
      database = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "db") });
    });
    afterAll(async () => database.close());

    it("is posted once through the forge and edited as the run goes", async () => {
      const { store } = database;
      const run = await store.createRun({ repo: "acme/widgets", number: 7, kind: "pull_request", task: "plan", trigger: "command", actor: "maintainer" });
      const tracking = new TrackingComment(forge, store, "https://ai.example.com/runs/x", { warn: () => undefined });
      tracking.show(run);
      await tracking.flush();
      expect(repository.comments).toHaveLength(1);
      expect(repository.comments[0]!.body).toContain("**Working on it…**");
      expect((await store.getRun(run.id))?.links).toMatchObject({ trackingCommentId: repository.comments[0]!.id, trackingComment: repository.comments[0]!.url });

      // Shown with the run as it was before the comment was posted: the comment is still edited, not posted again.
      tracking.show(run, { status: "succeeded", summary: "Planned." });
      await tracking.flush();
      expect(repository.comments).toHaveLength(1);
      expect(repository.comments[0]!.body).toContain("✅ **Done**");
      expect(repository.comments[0]!.body).toContain("Planned.");
    });
  });
});
