import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/store/open.js";
import { createHealthHandler } from "../../src/web/health.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { serveHandler } from "../helpers/route-server.js";

describe("readiness", () => {
  let db: TestDatabase;
  let database: Database;
  let server: Awaited<ReturnType<typeof serveHandler>>;
  let base: string;
  let processing: boolean | null = true;

  beforeAll(async () => {
    db = await freshPostgres();
    database = await db.open();
    const handler = createHealthHandler({
      store: database.store,
      role: "all",
      queueProcessing: () => processing,
      sandbox: () => ({ kind: "bubblewrap", status: "working", network: "deny" }),
    });
    server = await serveHandler(handler);
    base = server.base;
  });

  afterAll(async () => {
    await server.close();
    await db.dispose();
  });

  it("leaves other paths to the next handler", async () => {
    expect((await fetch(`${base}/api/github/webhooks`)).status).toBe(404);
  });

  it("reports a web-only process as ready without a queue of its own", async () => {
    processing = null;
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ready", queue: "not run by this process" });
  });

  it("says where commands run", async () => {
    processing = true;
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ sandbox: { kind: "bubblewrap", status: "working", network: "deny" } });
  });

  it("is not ready while the queue is stopped", async () => {
    processing = false;
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "not ready", queue: "stopped" });
  });

  it("is not ready once the database is gone, while /healthz still answers", async () => {
    processing = true;
    await database.close();
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { database: { status: string } };
    expect(body.database.status).toMatch(/^unreachable: /);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
