import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { Writable } from "node:stream";
import { Webhooks } from "@octokit/webhooks";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorWithoutPayload } from "../../src/web/logger.js";
import { type AppProcess, freePort, startApp } from "../helpers/app-process.js";
import { type TestDatabase, freshPostgres } from "../helpers/databases.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { deliver, examplePayload, sign } from "../helpers/webhooks.js";

const MiB = 1024 * 1024;
const webhookSecret = "webhook-limits-secret-5d1c";

/**
 * The webhook endpoint against a stranger: bodies over GitHub's own 25 MiB maximum are refused with
 * 413 before they are buffered, and a forged delivery costs one log line, not its payload (before
 * this, 10 MiB with a wrong signature became 31 MB of log: Probot logged the payload three times).
 */
describe("the webhook endpoint's limits (the app process)", () => {
  let db: TestDatabase;
  let app: AppProcess;
  let url: string;

  beforeAll(async () => {
    db = await freshPostgres();
    if (db.target.kind !== "postgres") throw new Error("expected PostgreSQL");
    const port = await freePort();
    url = `http://127.0.0.1:${port}/api/github/webhooks`;
    app = startApp({
      APP_ID: "12345",
      PRIVATE_KEY: generatePrivateKey(),
      WEBHOOK_SECRET: webhookSecret,
      DATABASE_URL: db.target.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ROLE: "web",
      DELIVERY_RECOVERY_INTERVAL_MS: "0",
    });
    await app.waitForOutput("Listening on");
  });

  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill("SIGKILL");
    await db?.dispose();
  });

  it("refuses a declared Content-Length over 25 MiB with 413 before a byte of the body is sent", async () => {
    // Only the headers go out: an answer proves the server did not wait to read 26 MiB.
    const answer = await post({ "content-length": String(26 * MiB) }, async (_write, answered) => {
      for (let i = 0; i < 100 && !answered(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(answer.status).toBe(413);
    expect(answer.sent).toBe(0);
  });

  it("refuses a chunked body once it passes 25 MiB, and stops reading it", async () => {
    const chunk = Buffer.alloc(MiB, 0x61);
    const answer = await post({ "transfer-encoding": "chunked" }, async (write, answered) => {
      // Up to 60 MiB unless the server answers first; a server that buffers it all answers 400.
      for (let i = 0; i < 60 && !answered(); i++) await write(chunk);
    });
    expect(answer.status).toBe(413);
    expect(answer.sent).toBeGreaterThan(25 * MiB);
    expect(answer.sent).toBeLessThan(40 * MiB);
  });

  it("logs a 10 MiB delivery with a bad signature in a line or two, without its payload", async () => {
    const marker = `payload-marker-${randomUUID()}`;
    const payload = { ...examplePayload("issues", "labeled"), filler: `${marker} ${"x".repeat(10 * MiB)}` };
    // What the earlier requests still log (a lingering socket closing) is not counted.
    const before = (await settledOutput()).length;
    const delivery = randomUUID();
    const res = await deliver(url, "issues", payload, "not-the-secret", delivery);
    expect([400, 401]).toContain(res.status);
    const logged = (await settledOutput()).slice(before);
    console.log(`bad signature, 10 MiB: the log grew by ${logged.length} bytes`);
    expect(logged.length).toBeLessThan(2048);
    expect(logged).not.toContain(marker);
    expect(logged).not.toContain("xxxxxxxxxxxxxxxx");
    const lines = logged.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    // One line says why; the other is the access line every request gets (method, path, status).
    expect(lines.filter((line) => line.delivery === delivery)).toEqual([expect.objectContaining({ event: "issues", reason: "bad signature" })]);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  it("still takes a normal signed delivery, and logs no payload of it", async () => {
    const marker = `normal-marker-${randomUUID()}`;
    const payload = { ...examplePayload("issues", "labeled"), filler: marker };
    const before = app.output().length;
    const res = await deliver(url, "issues", payload, webhookSecret);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
    expect((await settledOutput()).slice(before)).not.toContain(marker);
  });

  it("still takes a signed delivery sent in chunks", async () => {
    const body = JSON.stringify(examplePayload("issues", "labeled"));
    const answer = await post({ "transfer-encoding": "chunked", "x-hub-signature-256": sign(webhookSecret, body) }, async (write) => {
      await write(Buffer.from(body.slice(0, 100)));
      await write(Buffer.from(body.slice(100)));
    });
    expect(answer.status).toBe(200);
  });

  /** The process's output once it has not grown for half a second (at most 20 s). */
  async function settledOutput(): Promise<string> {
    let last = -1;
    for (let i = 0; i < 40 && app.output().length !== last; i++) {
      last = app.output().length;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return app.output();
  }

  /**
   * A raw POST, as node:http sends it, whose body `send` writes a piece at a time; resolves with
   * the status once answered (or the connection closed) and how many body bytes had gone out.
   */
  function post(
    headers: Record<string, string>,
    send: (write: (chunk: Buffer) => Promise<void>, answered: () => boolean) => Promise<void>,
  ): Promise<{ status: number | undefined; sent: number }> {
    return new Promise((resolve, reject) => {
      let sent = 0;
      let status: number | undefined;
      let closed = false;
      const req = request(url, {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "x-github-event": "issues",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
          ...headers,
        },
      });
      const done = () => resolve({ status, sent });
      req.on("response", (res) => {
        status = res.statusCode;
        res.resume();
        res.on("end", done);
        res.on("error", done);
      });
      req.on("error", () => (status === undefined && !closed ? reject(new Error(`no answer after ${sent} bytes`)) : done()));
      req.on("close", () => (closed = true));
      req.flushHeaders();
      const write = (chunk: Buffer) =>
        new Promise<void>((ok) => {
          if (status !== undefined || req.destroyed) return ok();
          sent += chunk.length;
          if (req.write(chunk)) return ok();
          const resume = () => {
            req.off("drain", resume);
            req.off("close", resume);
            ok();
          };
          req.on("drain", resume);
          req.on("close", resume);
        });
      void send(write, () => status !== undefined || req.destroyed).then(() => {
        if (status === undefined && !req.destroyed) req.end();
      });
    });
  }
});

describe("errors of webhook deliveries, as logged", () => {
  /** A logger with the app's error serializer, and what it wrote. */
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    return { log: pino({ serializers: { err: errorWithoutPayload } }, stream), lines };
  }

  it("keep the delivery's id and event name but not its payload, when a handler fails", async () => {
    const webhooks = new Webhooks({ secret: "s" });
    webhooks.on("issues", () => {
      throw new Error("handler failed");
    });
    const marker = `handler-marker-${randomUUID()}`;
    const error = await webhooks.receive({ id: "d-1", name: "issues", payload: { action: "opened", marker } as never }).catch((e: unknown) => e);
    const { log, lines } = capture();
    log.error(error);
    log.error({ err: error }, "with a message");
    expect(lines.join("")).not.toContain(marker);
    const logged = JSON.parse(lines[0]!) as { err: { event: unknown; message: string; aggregateErrors: { event: unknown }[] } };
    expect(logged.err).toMatchObject({ message: "handler failed", event: { id: "d-1", name: "issues" } });
    expect(logged.err.aggregateErrors[0]!.event).toEqual({ id: "d-1", name: "issues" });
  });

  it("keep no payload of a bad signature that reaches @octokit/webhooks itself", async () => {
    const webhooks = new Webhooks({ secret: "s" });
    const marker = `signature-marker-${randomUUID()}`;
    const error = await webhooks.verifyAndReceive({ id: "d-2", name: "issues", payload: JSON.stringify({ marker }), signature: "sha256=00" }).catch((e: unknown) => e);
    const { log, lines } = capture();
    log.error(error, "signature");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(marker);
    expect(lines[0]).toContain("signature does not match");
  });

  it("leave other errors as pino serializes them", () => {
    const { log, lines } = capture();
    log.error(Object.assign(new Error("plain"), { status: 500 }));
    expect(JSON.parse(lines[0]!)).toMatchObject({ err: { type: "Error", message: "plain", status: 500 } });
  });
});
