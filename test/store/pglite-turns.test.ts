import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/store/open.js";

/**
 * The embedded database is one session behind a socket: its connections take turns (see
 * src/store/pglite/session-client.ts), so a transaction of one (a budget reservation) never runs
 * between another's Bind and Execute and takes its portal.
 */
describe("the embedded database's connections", () => {
  let dir: string;
  let database: Database;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-pglite-turns-"));
    database = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("run transactions and statements side by side without losing a statement's portal", async () => {
    const { store } = database;
    const run = await store.createRun({ repo: "acme/app", installationId: 1, number: 1, kind: "issue", task: "plan", trigger: "command", actor: "alice", input: "" });
    const failures: string[] = [];
    const note = (error: unknown) => void failures.push(error instanceof Error ? error.message : String(error));
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        i % 2 === 0
          ? store.reserveBudget([{ key: `run:${run.id}:${i % 7}`, limitMicros: 1_000_000_000, amountMicros: 1 }]).catch(note)
          : store.getRun(run.id).catch(note),
      ),
    );
    expect(failures).toEqual([]);
    expect((await store.getRun(run.id))?.id).toBe(run.id);
  }, 60_000);
});
