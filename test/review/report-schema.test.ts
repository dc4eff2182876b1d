import { afterEach, describe, expect, it } from "vitest";
import { Budget } from "../../src/agent/budget.js";
import { AnthropicClient } from "../../src/integrations/anthropic/client.js";
import { planChunks } from "../../src/review/chunk.js";
import { MAX_REPORT_ATTEMPTS, reviewChunk, reviewRequest } from "../../src/review/model-review.js";
import { UserFacingError } from "../../src/core/errors.js";
import { type FakeAnthropic, type ScriptedMessage, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import { forgetfulLedger } from "../helpers/ledger.js";

/**
 * The review answers each chunk through report_findings. An answer that breaks the tool's schema is
 * sent back with what was wrong; one that keeps breaking it fails the chunk with a clear message.
 */

const store = forgetfulLedger();
const [chunk] = planChunks([{ path: "src/a.ts", patch: "@@ -1,0 +1,2 @@\n+const a = 1;\n+const b = a;", additions: 2, deletions: 0 }], { budget: 10_000, maxFiles: 10 }).chunks;
const report = (input: Record<string, unknown>): ScriptedMessage => ({ content: [{ type: "tool_use", name: "report_findings", input }] });
const good = report({ overview: "Adds two constants.", findings: [{ path: "src/a.ts", line: 2, side: "RIGHT", severity: "low", category: "style", body: "b only renames a." }] });
const wrongTypes = report({ overview: "Adds two constants.", findings: [{ path: "src/a.ts", line: "2", side: "RIGHT", severity: "urgent", category: "style", body: "b only renames a." }] });

interface Sent {
  messages: { role: string; content: string | { type: string; content?: string; is_error?: boolean }[] }[];
}

describe("report_findings answers that break their schema", () => {
  let fake: FakeAnthropic;
  afterEach(async () => fake?.close());

  const review = async (of = 1) =>
    reviewChunk({
      provider: new AnthropicClient({ apiKey: "sk-ant-test", baseURL: fake.url, maxRetries: 0 }),
      budget: new Budget({ store, repo: "acme/widgets", runId: "run-1", perRunMicros: 5_000_000, perRepoMonthMicros: 200_000_000, spentMicros: 0 }),
      request: await reviewRequest({
        model: "claude-sonnet-5-5",
        maxTokens: 1000,
        chunk: chunk!,
        context: { title: "Constants", body: "Two constants.", bodyWithheld: false, instructions: "", index: 1, of },
        pass: "full",
      }),
      place: { index: 1, of },
    });

  it("sends a malformed answer back with what was wrong, and takes the corrected one", async () => {
    fake = await startFakeAnthropic([wrongTypes, good]);
    expect(await review()).toEqual({
      overview: "Adds two constants.",
      findings: [{ path: "src/a.ts", line: 2, side: "RIGHT", severity: "low", category: "style", body: "b only renames a." }],
      unreadable: 0,
    });
    const second = JSON.parse(fake.requests[1]!.raw) as Sent;
    expect(second.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    const [result] = second.messages[2]!.content as { type: string; content: string; is_error: boolean }[];
    expect(result).toMatchObject({ type: "tool_result", is_error: true });
    expect(result!.content).toMatch(/^invalid input for report_findings: findings\[0\]\.line: expected number, received string; findings\[0\]\.severity: .*"critical".*\. Call report_findings again with the whole report, corrected\.$/);
  });

  it("asks again when the answer does not call the tool at all", async () => {
    fake = await startFakeAnthropic([{ content: [{ type: "text", text: "Looks fine to me." }] }, good]);
    expect((await review()).findings).toHaveLength(1);
    const second = JSON.parse(fake.requests[1]!.raw) as Sent;
    expect(second.messages.slice(1)).toEqual([
      { role: "assistant", content: [{ type: "text", text: "Looks fine to me." }] },
      { role: "user", content: [{ type: "text", text: "the answer did not call report_findings. Call report_findings again with the whole report, corrected." }] },
    ]);
  });

  it(`fails the chunk with a clear message after ${MAX_REPORT_ATTEMPTS} malformed answers`, async () => {
    fake = await startFakeAnthropic([report({ overview: 3, findings: "none" }), report({ findings: { path: "x" } }), report({ overview: "x", findings: "none" })]);
    const run = review(2);
    await expect(run).rejects.toBeInstanceOf(UserFacingError);
    await expect(run).rejects.toThrow(
      `The review of part 1 of 2 of the pull request failed: the model's report_findings answers kept failing their schema (${MAX_REPORT_ATTEMPTS} attempts): invalid input for report_findings: findings: expected array, received string`,
    );
    expect(fake.requests).toHaveLength(MAX_REPORT_ATTEMPTS);
  });

  it("keeps the readable findings of a last answer whose shape is right", async () => {
    const mixed = report({ overview: "Mixed.", findings: [{ path: "src/a.ts", line: 1, side: "RIGHT", severity: "info", category: "docs", body: "Fine." }, { path: "src/a.ts", line: "two" }] });
    fake = await startFakeAnthropic([mixed, mixed, mixed]);
    expect(await review()).toMatchObject({ overview: "Mixed.", findings: [{ body: "Fine." }], unreadable: 1 });
  });
});
