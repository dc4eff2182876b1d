import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import nock from "nock";
import type { Server } from "probot";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/env.js";
import { createLogger, oneName } from "../../src/web/logger.js";
import { startWebServer } from "../../src/web/server.js";
import { freePort } from "../helpers/app-process.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { deliver, examplePayload } from "../helpers/webhooks.js";

const WEBHOOK_SECRET = "log-names-test-secret";

/** The keys repeated in one JSON object of the line, at any depth; JSON.parse would hide them. */
function repeatedKeys(line: string): string[] {
  // JSON is YAML; yaml's parser reports every repeated key of a mapping.
  const doc = parseDocument(line, { uniqueKeys: true });
  return doc.errors.filter((error) => error.code === "DUPLICATE_KEY").map((error) => error.message);
}

describe("the app's JSON log lines", () => {
  let server: Server;
  let output = "";
  let base: string;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      APP_ID: "12345",
      PRIVATE_KEY: generatePrivateKey(),
      WEBHOOK_SECRET,
      LOG_FORMAT: "json",
      LOG_LEVEL: "debug",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: base,
    });
    const sink = new PassThrough();
    sink.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const log = await createLogger(config, sink);
    // Probot's own loggers (server, http, probot, event) as the app's process builds them.
    server = await startWebServer(config, log, (app) => {
      app.on("installation", (context) => {
        context.log.info("installation seen");
      });
    });
    expect((await deliver(`${base}/api/github/webhooks`, "installation", examplePayload("installation", "created"), WEBHOOK_SECRET)).status).toBe(200);
    await fetch(`${base}/no-such-page`);
    log.info("a line of the root logger");
    for (let waited = 0; !(output.includes("installation seen") && output.includes("/no-such-page") && output.includes("root logger")) && waited < 5_000; waited += 50) await sleep(50);
  });

  afterAll(async () => {
    await server?.stop();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("have one name per line, the innermost logger's", () => {
    const lines = output.trim().split("\n");
    const names = lines.map((line) => (JSON.parse(line) as { name?: unknown }).name);
    // Lines from nested loggers are there, so the check below is not run on root lines alone.
    expect(names).toEqual(expect.arrayContaining(["ai-agent", "server", "http"]));
    expect(names.some((name) => name === "event" || name === "probot")).toBe(true);
    for (const line of lines) expect({ line, repeated: repeatedKeys(line) }).toEqual({ line, repeated: [] });
  });

  it("keeps nested names and every other key as written", () => {
    const line = '{"level":30,"name":"ai-agent","name":"server","repo":{"name":"Hello-World"},"name":"http","msg":"a \\"name\\": in text"}\n';
    // "name" twice more than once.
    expect(repeatedKeys(line)).toHaveLength(2);
    const kept = oneName(line);
    expect(repeatedKeys(kept)).toEqual([]);
    expect(kept).toBe('{"level":30,"name":"http","repo":{"name":"Hello-World"},"msg":"a \\"name\\": in text"}\n');
    const plain = '{"level":30,"name":"ai-agent","msg":"hi"}\n';
    expect(oneName(plain)).toBe(plain);
  });
});
