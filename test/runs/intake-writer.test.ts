import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/env.js";
import { createApp } from "../../src/index.js";
import { type IntakeEntry, IntakeBacklogFull, IntakeWriter } from "../../src/runs/intake-writer.js";
import type { Store } from "../../src/store/types.js";
import { startWebServer } from "../../src/web/server.js";
import { freePort } from "../helpers/app-process.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

const entry = (n: number): IntakeEntry => ({ delivery: { id: `d-${n}`, event: "issue_comment", action: "created" } });

/** A real logger writing to memory, to check what a person reading the logs would see. */
function memoryLog() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const log = pino({ level: "info" }, {
    write: (line: string) => {
      const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg: string } & Record<string, unknown>;
      lines.push({ level: pino.levels.labels[level] ?? String(level), msg, fields });
    },
  });
  return { lines, log };
}

describe("the intake writer", () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it("writes a lone delivery at once, after the handler has returned", async () => {
    const batches: string[][] = [];
    const writer = new IntakeWriter({ enqueue: async (entries) => void batches.push(entries.map((e) => e.delivery.id)), log: memoryLog().log });
    writer.accept(entry(1));
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([["d-1"]]);
  });

  it("while busy, gathers what arrives during a write into the next one", async () => {
    const batches: string[][] = [];
    const writer = new IntakeWriter({
      enqueue: async (entries) => {
        batches.push(entries.map((e) => e.delivery.id));
        await sleep(20);
      },
      log: memoryLog().log,
      lingerMs: 30,
    });
    writer.accept(entry(1));
    await sleep(5);
    for (let n = 2; n <= 4; n++) writer.accept(entry(n)); // during the first write
    await sleep(30);
    writer.accept(entry(5)); // during the pause after it
    await writer.drain(1_000);
    expect(batches).toEqual([["d-1"], ["d-2", "d-3", "d-4", "d-5"]]);
  });

  it("returns at once and writes deliveries that arrive together in one batch, in order", async () => {
    const batches: string[][] = [];
    const { log } = memoryLog();
    const writer = new IntakeWriter({ enqueue: async (entries) => void batches.push(entries.map((e) => e.delivery.id)), log });
    for (let n = 0; n < 50; n++) writer.accept(entry(n));
    expect(batches).toEqual([]); // nothing written inside accept
    expect(writer.backlog).toBe(50);
    expect(await writer.drain(1_000)).toEqual({ left: 0 });
    expect(batches).toEqual([Array.from({ length: 50 }, (_, n) => `d-${n}`)]);
    expect(writer.backlog).toBe(0);
  });

  it("keeps deliveries through failed writes and writes them once the database is back", async () => {
    let failures = 2;
    const written: string[] = [];
    const { log, lines } = memoryLog();
    const writer = new IntakeWriter({
      enqueue: async (entries) => {
        if (failures-- > 0) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
        written.push(...entries.map((e) => e.delivery.id));
      },
      log,
      retryMs: { first: 20, max: 40 },
    });
    writer.accept(entry(1));
    writer.accept(entry(2));
    await sleep(15);
    writer.accept(entry(3)); // arrives while the first write is failing
    expect(await writer.drain(2_000)).toEqual({ left: 0 });
    expect(written).toEqual(["d-1", "d-2", "d-3"]);
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ msg: "cannot queue webhook deliveries yet", fields: { retryInMs: 20 } });
    expect(errors[1]!.fields.retryInMs).toBe(40);
  });

  it("refuses deliveries past its capacity, and takes them again once it has caught up", async () => {
    let release: () => void = () => undefined;
    const { log } = memoryLog();
    const writer = new IntakeWriter({
      enqueue: () => new Promise<void>((resolve) => (release = resolve)),
      log,
      capacity: 2,
      lingerMs: 0,
    });
    writer.accept(entry(1));
    await sleep(1); // taken into the first write
    writer.accept(entry(2));
    writer.accept(entry(3));
    expect(() => writer.accept(entry(4))).toThrow(IntakeBacklogFull);
    expect(() => writer.accept(entry(4))).toThrow("2 webhook deliveries are waiting to be written to the database");
    release();
    await sleep(5);
    release();
    expect(await writer.drain(1_000)).toEqual({ left: 0 });
    expect(() => writer.accept(entry(5))).not.toThrow();
    await sleep(1);
    release();
    expect(await writer.drain(1_000)).toEqual({ left: 0 });
  });

  it("reports at its deadline what it could not write, by delivery id", async () => {
    const { log, lines } = memoryLog();
    const writer = new IntakeWriter({ enqueue: () => new Promise<void>(() => undefined), log, lingerMs: 0 });
    writer.accept(entry(1));
    await sleep(5);
    writer.accept(entry(2));
    const started = Date.now();
    expect(await writer.drain(200)).toEqual({ left: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(lines.at(-1)).toMatchObject({
      level: "warn",
      msg: "webhook deliveries not written before shutdown; the recovery pass has GitHub send them again",
      fields: { left: 1, deliveries: ["d-2"] },
    });
  });

  it("answers a webhook it cannot take with a 5xx, so GitHub records the delivery as failed", async () => {
    const secret = "writer-test-secret";
    const port = await freePort();
    const config = loadConfig({ APP_ID: "1", PRIVATE_KEY: generatePrivateKey(), WEBHOOK_SECRET: secret, PORT: String(port), HOST: "127.0.0.1" });
    const writer = new IntakeWriter({ enqueue: () => new Promise<void>(() => undefined), log: memoryLog().log, capacity: 1, lingerMs: 0 });
    const store = { kind: "postgres" } as Store; // the webhook path never reads the store
    const server = await startWebServer(
      config,
      pino({ level: "silent" }),
      createApp({ store, role: "web", queueProcessing: () => null, intake: writer, appId: 1 }),
    );
    stop = () => server.stop();
    const url = `http://127.0.0.1:${port}/api/github/webhooks`;
    const payload = examplePayload("issue_comment", "created");
    expect((await deliver(url, "issue_comment", payload, secret)).status).toBe(200); // written at once
    expect((await deliver(url, "issue_comment", payload, secret)).status).toBe(200); // waits in memory
    expect((await deliver(url, "issue_comment", payload, secret)).status).toBeGreaterThanOrEqual(500);
    expect(writer.backlog).toBe(1);
  });
});
