import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, freePort, startApp } from "../helpers/app-process.js";
import { eventually } from "../helpers/app-server.js";

const recorder = fileURLToPath(new URL("../helpers/import-recorder.ts", import.meta.url));

/**
 * What the process loads at start on the embedded default with nothing else set: the embedded
 * database, and none of the drivers and clients of what this configuration does not use — MongoDB
 * without MONGODB_URL, Slack without its token, SMTP without a host, Confluence's Markdown and
 * XHTML libraries without its site. Each import the process makes is recorded as Node resolves it.
 */
describe("the app's start on the embedded default", () => {
  let dir: string;
  let app: AppProcess;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-start-"));
    port = await freePort();
    app = startApp({ DATA_DIR: path.join(dir, "data"), PORT: String(port), HOST: "127.0.0.1", IMPORT_LOG: path.join(dir, "imports.txt") }, undefined, ["--import", recorder]);
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, 60_000);
  }, 90_000);
  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the embedded database and none of the unused integrations' libraries", async () => {
    const imports = (await readFile(path.join(dir, "imports.txt"), "utf8")).split("\n");
    const loaded = (name: string) => imports.some((url) => url.includes(`/node_modules/${name}/`));
    // What this start uses, seen by the same recording.
    expect(loaded("@electric-sql/pglite")).toBe(true);
    expect(loaded("probot")).toBe(true);
    for (const unused of ["mongodb", "@agendajs/mongo-backend", "@slack/web-api", "nodemailer", "markdown-it", "htmlparser2"]) {
      expect({ [unused]: loaded(unused) }).toEqual({ [unused]: false });
    }
  });

  it("initialised the fresh data folder in a child process, and serves from it", async () => {
    expect(app.child.exitCode).toBeNull();
    const version = await readFile(path.join(dir, "data", "pglite", "PG_VERSION"), "utf8");
    expect(version.trim()).toMatch(/^\d+$/);
  });
});
