import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { pino, type Logger } from "pino";
import type { Server } from "probot";
import { SmeeClient } from "smee-client";
import { loadConfig } from "../../src/config/env.js";
import { type IntakeEntry } from "../../src/triggers/webhook.js";
import { createApp } from "../../src/index.js";
import type { Database } from "../../src/store/open.js";
import { type SetupOptions } from "../../src/web/setup.js";
import { startWebServer } from "../../src/web/server.js";
import { freePort } from "../helpers/app-process.js";

/** What the setup tests share: the app's web server started in-process, and reading its pages. */

export const appYml = fileURLToPath(new URL("../../app.yml", import.meta.url));

export interface CapturedLog {
  log: Logger;
  lines: () => string[];
  /** Resolves once a line contains the text. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    }),
  );
  return {
    log,
    lines: () => lines,
    async waitFor(text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!lines.some((line) => line.includes(text))) {
        if (Date.now() > deadline) throw new Error(`"${text}" not logged; log:\n${lines.join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

export interface StartedApp {
  base: string;
  server: Server;
  log: CapturedLog;
  accepted: IntakeEntry[];
}

/** The app's web server (setup mode without APP_ID) on the given database and environment. */
export async function startWeb(database: Database, env: Record<string, string | undefined>, setup: SetupOptions = {}): Promise<StartedApp> {
  const port = await freePort();
  const config = loadConfig({ PORT: String(port), HOST: "127.0.0.1", ...env });
  const log = captureLog();
  const accepted: IntakeEntry[] = [];
  const appFn = createApp({
    store: database.store,
    role: "all",
    queueProcessing: () => true,
    intake: { accept: (entry) => accepted.push(entry), backlog: 0 },
    appId: config.APP_ID ? Number(config.APP_ID) : undefined,
  });
  const server = await startWebServer(config, log.log, appFn, { setup: { appYml, ...setup } });
  return { base: `http://127.0.0.1:${port}`, server, log, accepted };
}

/** smee-client's own channel creation, against the local proxy service instead of smee.io. */
export const createChannelAt = (base: string) => () => SmeeClient.createChannel({ newChannelUrl: `${base}/new` });

function unescapeHtml(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(/&(#\d+|#x[\da-f]+|[a-z]+);/gi, (entity, name: string) =>
    name.startsWith("#x") ? String.fromCodePoint(parseInt(name.slice(2), 16)) : name.startsWith("#") ? String.fromCodePoint(Number(name.slice(1))) : (named[name] ?? entity),
  );
}

export interface SubmittedForm {
  action: string;
  manifest: { name: string; hook_attributes: { url: string; active?: boolean }; redirect_url: string; default_permissions: Record<string, string>; default_events: string[]; public: boolean };
}

/** The form on the setup page, as a browser would post it: where to, and the manifest it carries. */
export function submittedForm(html: string): SubmittedForm {
  const form = /<form\s[^>]*action="([^"]*)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on the page:\n${html}`);
  const field = /<(?:input|button)\s[^>]*name="manifest"[^>]*value="([^"]*)"/i.exec(form[2] ?? "");
  if (!field) throw new Error(`the form carries no manifest:\n${form[0]}`);
  return { action: unescapeHtml(form[1] ?? ""), manifest: JSON.parse(unescapeHtml(field[1] ?? "")) as SubmittedForm["manifest"] };
}
