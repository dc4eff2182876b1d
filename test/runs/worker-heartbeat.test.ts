import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerHeartbeats } from "../../src/runs/worker-heartbeat.js";
import type { Database } from "../../src/store/open.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";

/**
 * A worker's heartbeat against a database that is gone (its pool ended): the writes fail, the
 * process hears of it once, nothing throws, and stopping still resolves.
 */
describe("worker heartbeat without a database", () => {
  let testDb: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDb = await freshPostgres();
    database = await testDb.open();
    await database.close();
  });
  afterAll(() => testDb?.dispose());

  it("keeps beating without failing, warns once per outage, and stops cleanly", async () => {
    const warnings: string[] = [];
    const log = { warn: (_detail: unknown, message?: string) => void warnings.push(message ?? ""), info: () => undefined };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const heartbeat = new WorkerHeartbeats(database.store, { role: "worker", version: "0.1.0", concurrency: 1 }, () => 0, { intervalMs: 10, log });
      expect(() => heartbeat.start()).not.toThrow();
      // Many beats' worth: each one fails against the ended pool.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(heartbeat.stop()).resolves.toBeUndefined();
      expect(warnings.filter((message) => message.startsWith("could not write this worker's heartbeat"))).toHaveLength(1);
      expect(warnings.filter((message) => message.startsWith("could not remove this worker's heartbeat"))).toHaveLength(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
