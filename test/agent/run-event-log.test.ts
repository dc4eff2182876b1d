import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerSecret } from "../../src/core/redactor.js";
import type { NewRun } from "../../src/core/run.js";
import { cutOutput } from "../../src/agent/run-event-bounds.js";
import { RunEventLog, type RunEventStore } from "../../src/agent/run-event-log.js";
import type { Database } from "../../src/store/open.js";
import { MAX_RUN_EVENTS, MAX_RUN_EVENT_OUTPUT_BYTES } from "../../src/store/types.js";
import { eventually } from "../helpers/app-server.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";

/**
 * The run's event log against a real PostgreSQL store: what it keeps of a call (redacted, bounded),
 * how it writes (in batches, never failing the run, never twice), and its bound on a run's events.
 */

describe("a run's event log", () => {
  let database: TestDatabase;
  let opened: Database;
  let number = 0;
  const newRun = (): NewRun => ({ repo: "events-org/log", number: ++number, kind: "issue", task: "implement", trigger: "label", actor: "octocat" });
  const warnings: string[] = [];
  const log = { warn: (_fields: object, message: string) => void warnings.push(message) };
  const stored = (runId: string) => opened.store.listRunEvents(runId, { limit: 500 });
  const bash = (command: string, output = "") => ({ kind: "tool_call" as const, name: "bash", summary: command, output, exitCode: 0, durationMs: 5 });

  beforeAll(async () => {
    database = await freshPostgres();
    opened = await database.open();
  });
  afterAll(async () => {
    await opened.close();
    await database.dispose();
  });

  it("keeps a megabyte of output as its start and end in at most 8 KiB, saying how much was left out", async () => {
    const { id } = await opened.store.createRun(newRun());
    const events = new RunEventLog({ store: opened.store, runId: id, log });
    const output = `FIRST LINE\n${"x".repeat(1024 * 1024)}\nLAST LINE`;
    events.record(bash("cat big.log", output), "implement");
    await events.close();
    const [event] = await stored(id);
    expect(Buffer.byteLength(event!.output!)).toBeLessThanOrEqual(MAX_RUN_EVENT_OUTPUT_BYTES);
    expect(event!.output).toMatch(/^FIRST LINE\nx+\n… \d+ bytes left out …\nx+\nLAST LINE$/);
    const left = Number(/… (\d+) bytes left out …/.exec(event!.output!)![1]);
    const marker = `\n… ${left} bytes left out …\n`;
    // What is kept and what was left out add up to the whole output.
    expect(Buffer.byteLength(event!.output!) - Buffer.byteLength(marker) + left).toBe(Buffer.byteLength(output));
    expect(event!.output!.startsWith(output.slice(0, 2048))).toBe(true);
    expect(event).toMatchObject({ seq: 1, step: "implement", kind: "tool_call", name: "bash", summary: "cat big.log", exitCode: 0, durationMs: 5, truncated: true });
  });

  it("cuts between characters, never inside one", () => {
    // Three bytes each: 2 KiB is no whole number of them, so the cut falls inside one unless it is moved.
    const output = "€".repeat(10_000);
    const { text, truncated } = cutOutput(output);
    expect(truncated).toBe(true);
    expect(text).not.toContain("\ufffd");
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_RUN_EVENT_OUTPUT_BYTES);
    expect(cutOutput("short")).toEqual({ text: "short", truncated: false });
  });

  it("keeps at most 500 characters of a summary", async () => {
    const { id } = await opened.store.createRun(newRun());
    const events = new RunEventLog({ store: opened.store, runId: id, log });
    events.record(bash(`echo ${"y".repeat(2000)}`, "ok"));
    await events.close();
    const [event] = await stored(id);
    expect(event!.summary).toHaveLength(500);
    expect(event!.summary.endsWith("…")).toBe(true);
    expect(event).toMatchObject({ truncated: true, step: null, output: "ok" });
  });

  it("stores no secret the process knows, nor anything shaped like a token, in a summary or an output", async () => {
    const known = "env-token-value-3f9a1c77d2";
    registerSecret(known);
    const github = "ghs_R4nd0mLook1ngInstallat1onT0ken0123456";
    const anthropic = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789";
    const { id } = await opened.store.createRun(newRun());
    const events = new RunEventLog({ store: opened.store, runId: id, log });
    events.record(bash(`curl -H "Authorization: token ${github}" https://api.github.com`, `TOKEN=${known}\nANTHROPIC_API_KEY=${anthropic}\n${"z".repeat(20_000)}\n${github}`));
    await events.close();
    const text = JSON.stringify(await stored(id));
    for (const secret of [known, github, anthropic]) expect(text).not.toContain(secret);
    // Not even the part of a secret that a cut could leave.
    expect(text).not.toContain(github.slice(0, 12));
    expect(text).toContain("[redacted]");
  });

  it("writes nothing per call: what is recorded waits for the batch", async () => {
    const { id } = await opened.store.createRun(newRun());
    const events = new RunEventLog({ store: opened.store, runId: id, log, flushEveryMs: 60_000 });
    events.record(bash("echo 1"));
    events.record(bash("echo 2"));
    expect(await stored(id)).toEqual([]);
    await events.flush();
    expect((await stored(id)).map((event) => event.summary)).toEqual(["echo 1", "echo 2"]);
    await events.close();
  });

  it("writes a batch by itself once the half second is up", async () => {
    const { id } = await opened.store.createRun(newRun());
    const events = new RunEventLog({ store: opened.store, runId: id, log, flushEveryMs: 20 });
    events.record(bash("echo later"));
    const written = await eventually(async () => (await stored(id)).at(0));
    expect(written.summary).toBe("echo later");
    await events.close();
  });

  it("logs a failed write, never throws, and writes the batch with the next one, each event once", async () => {
    const { id } = await opened.store.createRun(newRun());
    warnings.length = 0;
    let failures = 1;
    // The first write reaches the database and then fails, as a write whose answer was lost does.
    const flaky: RunEventStore = {
      lastRunEventSeq: (runId) => opened.store.lastRunEventSeq(runId),
      appendRunEvents: async (runId, batch) => {
        await opened.store.appendRunEvents(runId, batch);
        if (failures-- > 0) throw new Error("connection terminated unexpectedly");
      },
    };
    const events = new RunEventLog({ store: flaky, runId: id, log, flushEveryMs: 60_000 });
    events.record(bash("echo a"));
    await events.flush();
    expect(warnings).toEqual(["could not write the run's event log; trying again with the next batch"]);
    events.record(bash("echo b"));
    await events.close();
    expect((await stored(id)).map((event) => [event.seq, event.summary])).toEqual([[1, "echo a"], [2, "echo b"]]);
  });

  it("gives a batch up after three failed writes, and the run goes on", async () => {
    warnings.length = 0;
    const down: RunEventStore = {
      lastRunEventSeq: () => Promise.reject(new Error("ECONNREFUSED")),
      appendRunEvents: () => Promise.reject(new Error("ECONNREFUSED")),
    };
    const events = new RunEventLog({ store: down, runId: "00000000-0000-4000-8000-000000000001", log, flushEveryMs: 60_000 });
    events.record(bash("echo lost"));
    await events.flush();
    await events.flush();
    await events.close();
    expect(warnings.at(-1)).toBe("could not write the run's event log; these events are lost");
    expect(warnings.filter((w) => w.includes("trying again"))).toHaveLength(2);
  });

  it(`keeps at most ${MAX_RUN_EVENTS} events of a run, then one saying how many more there were`, async () => {
    const { id } = await opened.store.createRun(newRun());
    const events = new RunEventLog({ store: opened.store, runId: id, log, flushEveryMs: 60_000 });
    for (let index = 1; index <= MAX_RUN_EVENTS + 7; index++) events.record(bash(`echo ${index}`));
    await events.close();
    const all = [];
    for (let after = 0; ; ) {
      const page = await opened.store.listRunEvents(id, { afterSeq: after, limit: 500 });
      if (page.length === 0) break;
      all.push(...page);
      after = page.at(-1)!.seq;
    }
    expect(all).toHaveLength(MAX_RUN_EVENTS + 1);
    expect(all.at(-2)).toMatchObject({ seq: MAX_RUN_EVENTS, summary: `echo ${MAX_RUN_EVENTS}` });
    expect(all.at(-1)).toMatchObject({ seq: MAX_RUN_EVENTS + 1, kind: "dropped", summary: `7 more events were not recorded: a run keeps at most ${MAX_RUN_EVENTS}.` });
  });

  it("goes on after the events of a run's earlier attempt, and counts them towards the bound", async () => {
    const { id } = await opened.store.createRun(newRun());
    const first = new RunEventLog({ store: opened.store, runId: id, log, maxEvents: 3 });
    first.record(bash("echo first"));
    first.record(bash("echo second"));
    await first.close();
    // The run resumed on another worker.
    const again = new RunEventLog({ store: opened.store, runId: id, log, maxEvents: 3 });
    again.record(bash("echo third"));
    again.record(bash("echo fourth"));
    await again.close();
    expect((await stored(id)).map((event) => [event.seq, event.kind, event.summary])).toEqual([
      [1, "tool_call", "echo first"],
      [2, "tool_call", "echo second"],
      [3, "tool_call", "echo third"],
      [4, "dropped", "1 more event was not recorded: a run keeps at most 3."],
    ]);
  });
});
