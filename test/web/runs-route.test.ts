import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerSecret } from "../../src/core/redactor.js";
import type { Run } from "../../src/core/run.js";
import { createRunLinks, runLinkKey } from "../../src/web/run-links.js";
import { UNSIGNED_LINK_MESSAGE, createRunsHandler } from "../../src/web/runs-route.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { serveHandler } from "../helpers/route-server.js";

const PRIVATE_KEY = generatePrivateKey();
const WEBHOOK_SECRET = "runs-route-webhook-secret";
const TOKEN = "ghs_runsroutetoken0123456789";

describe("GET /runs/:id", () => {
  let server: Awaited<ReturnType<typeof serveHandler>>;
  let base: string;
  const id = randomUUID();
  // As a run stored before its secrets were known (or by an older version) would hold them.
  const run: Run = {
    id,
    repo: "octo/widgets",
    installationId: 4242,
    number: 7,
    kind: "issue",
    task: "implement",
    trigger: "label",
    actor: "octocat",
    deliveryId: "9b1f0a30-0000-11ef-8000-000000000000",
    snapshot: { title: "Add dark mode", body: "please", author: "octocat", at: "2026-01-01T00:00:00Z" },
    status: "failed",
    steps: [{ id: "code", status: "failed", attempts: 1, outputs: { log: `used ${TOKEN} and ${PRIVATE_KEY}` }, error: `webhook secret ${WEBHOOK_SECRET}` }],
    links: { trackingComment: "https://github.com/octo/widgets/issues/7#issuecomment-1", trackingCommentId: "1", slackTs: "1700000000.000100" },
    costMicros: 12_345,
    error: `push to https://x-access-token:${TOKEN}@github.com/octo/widgets.git failed`,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  const key = runLinkKey({ privateKey: PRIVATE_KEY, RUN_LINK_SECRET: undefined, WEBHOOK_SECRET });
  let links: ReturnType<typeof createRunLinks>;
  const path = (url: string) => url.slice(base.length);

  beforeAll(async () => {
    for (const secret of [PRIVATE_KEY, WEBHOOK_SECRET, TOKEN]) registerSecret(secret);
    const handler = createRunsHandler({ getRun: (wanted) => Promise.resolve(wanted === id ? run : null) }, { verify: (...args) => links.verify(...args) });
    server = await serveHandler(handler);
    base = server.base;
    links = createRunLinks({ key, publicUrl: base, ttlDays: 30 });
  });
  afterAll(async () => {
    await server.close();
  });

  const refused = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: UNSIGNED_LINK_MESSAGE });
  };

  it("refuses the address alone, to anyone who has it", async () => {
    await refused(`${base}/runs/${id}`);
  });

  it("refuses a wrong signature, another run's signature, and a changed expiry", async () => {
    const signed = new URL(links.url(id));
    const exp = signed.searchParams.get("exp")!;
    await refused(`${base}/runs/${id}?sig=${randomBytes(32).toString("base64url")}&exp=${exp}`);
    await refused(`${base}/runs/${id}?${new URL(links.url(randomUUID())).searchParams.toString()}`);
    await refused(`${base}/runs/${id}?sig=${signed.searchParams.get("sig")}&exp=${Number(exp) + 3600}`);
    await refused(`${base}/runs/${id}?sig=${signed.searchParams.get("sig")}`);
  });

  it("refuses an expired link, and one signed with another key", async () => {
    const made = Date.now() - 31 * 86_400_000;
    const old = createRunLinks({ key, publicUrl: base, ttlDays: 30, now: () => made });
    await refused(old.url(id));
    const other = createRunLinks({ key: runLinkKey({ privateKey: generatePrivateKey(), RUN_LINK_SECRET: undefined, WEBHOOK_SECRET }), publicUrl: base, ttlDays: 30 });
    await refused(other.url(id));
  });

  it("tells an unsigned request nothing, not even whether the run exists", async () => {
    await refused(`${base}/runs/${randomUUID()}`);
    expect((await fetch(links.url(randomUUID()))).status).toBe(404);
  });

  it("serves a signed link's run redacted, without the installation and other internal fields", async () => {
    const url = links.url(id);
    expect(path(url)).toMatch(new RegExp(`^/runs/${id}\\?sig=[A-Za-z0-9_-]{43}&exp=\\d+$`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    for (const secret of [WEBHOOK_SECRET, TOKEN, ...PRIVATE_KEY.split("\n").filter((l) => l.length > 16)]) expect(text).not.toContain(secret);
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json).toMatchObject({ id, repo: "octo/widgets", number: 7, status: "failed", costUsd: 0.012345 });
    expect(json).not.toHaveProperty("installationId");
    expect(json).not.toHaveProperty("deliveryId");
    expect(json).not.toHaveProperty("snapshot");
    expect(json.links).toEqual({ trackingComment: "https://github.com/octo/widgets/issues/7#issuecomment-1" });
    expect(json.error).toBe("push to https://[redacted]@github.com/octo/widgets.git failed");
    expect(json.steps).toEqual([expect.objectContaining({ id: "code", outputs: { log: "used [redacted] and [redacted]" }, error: "webhook secret [redacted]" })]);
  });

  it("keeps links made for a run within an hour the same, valid for the days configured", () => {
    const now = Date.parse("2030-05-01T10:20:00Z");
    const at = (ms: number) => createRunLinks({ key, publicUrl: "https://agent.example", ttlDays: 30, now: () => ms });
    expect(at(now).url(id)).toBe(at(now + 30 * 60_000).url(id));
    const exp = Number(new URL(at(now).url(id)).searchParams.get("exp"));
    expect(exp * 1000 - now).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(exp * 1000 - now).toBeLessThanOrEqual(30 * 86_400_000 + 3_600_000);
    // A shorter TTL set later shortens the links already given out.
    const shorter = createRunLinks({ key, publicUrl: "https://agent.example", ttlDays: 7, now: () => now });
    const url = new URL(at(now).url(id));
    expect(shorter.verify(id, url.searchParams.get("sig"), url.searchParams.get("exp"))).toBe(false);
  });
});
