import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/env.js";
import { createLogger } from "../../src/web/logger.js";
import { generatePrivateKey } from "../helpers/keys.js";

const WEBHOOK_SECRET = "logger-test-webhook-secret";

/** The process logger as main.ts builds it, writing to a buffer instead of standard output. */
async function capture(logFormat: "json" | "pretty") {
  const privateKey = generatePrivateKey();
  const config = loadConfig({ APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET, LOG_FORMAT: logFormat, LOG_LEVEL: "info" });
  const sink = new PassThrough();
  let output = "";
  sink.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const log = await createLogger(config, sink);
  /** Everything written up to a last line. */
  const written = async () => {
    log.info("the end");
    for (let waited = 0; !output.includes("the end") && waited < 2_000; waited += 20) await sleep(20);
    return output;
  };
  return { log, privateKey, written };
}

describe("the process logger", () => {
  for (const format of ["json", "pretty"] as const) {
    it(`removes the private key and the webhook secret from every ${format} line, whatever carries them`, async () => {
      const { log, privateKey, written } = await capture(format);
      log.info(`the key is ${privateKey} and the secret ${WEBHOOK_SECRET}`);
      log.warn({ details: { text: `secret=${WEBHOOK_SECRET}`, key: privateKey } }, "nested");
      log.child({ name: "probot" }).error({ err: new Error(`signing with ${privateKey} failed for ${WEBHOOK_SECRET}`) }, "a child's error");
      log.info({ url: "https://x-access-token:ghs_fromaurl@github.com/o/r.git" }, "pushing");
      const signature = "S1gnatureS1gnatureS1gnatureS1gnatureS1gnatu";
      log.child({ name: "http" }).info({ req: { url: `/runs/1?sig=${signature}&exp=1` } }, `GET /runs/1?sig=${signature}&exp=1 200`);
      const text = await written();
      expect(text).toContain("the key is");
      expect(text).toContain("a child's error");
      expect(text).not.toContain(WEBHOOK_SECRET);
      expect(text).not.toContain("ghs_fromaurl");
      expect(text).not.toContain(signature); // a run link's key stays out of the access log
      expect(text).toContain("GET /runs/1?sig=[redacted]&exp=1 200");
      // Neither whole nor any line of it, nor as JSON writes it.
      for (const line of privateKey.split("\n").filter((l) => l.length > 16)) expect(text).not.toContain(line);
      expect(text).not.toContain("BEGIN RSA PRIVATE KEY-----\\n");
      expect(text).toContain("[redacted]");
      if (format === "json") for (const line of text.trim().split("\n")) expect(() => JSON.parse(line) as unknown).not.toThrow();
    });
  }
});
