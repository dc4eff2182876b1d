import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Slack's Web API as a separate process reaches it (the app's SLACK_API_URL): chat.postMessage and
 * chat.update over HTTP, form-encoded or JSON as @slack/web-api sends them, answered with Slack's
 * response shapes. Every message is recorded; posts with a thread_ts are thread replies.
 */

export interface SlackMessage {
  method: "chat.postMessage" | "chat.update";
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
}

export interface SlackHttp {
  /** For SLACK_API_URL. */
  url: string;
  messages: SlackMessage[];
  close(): Promise<void>;
}

const field = (value: unknown): string => (typeof value === "string" ? value : "");

export async function startSlackHttp(token: string): Promise<SlackHttp> {
  const messages: SlackMessage[] = [];
  let counter = 100;
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const raw = Buffer.concat(parts).toString("utf8");
      const fields: Record<string, unknown> = (req.headers["content-type"] ?? "").includes("json")
        ? (JSON.parse(raw || "{}") as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
      const send = (body: unknown) => res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${token}` && fields.token !== token) return send({ ok: false, error: "invalid_auth" });
      const method = (req.url ?? "").replace(/^\/(api\/)?/, "").split("?")[0];
      const channel = field(fields.channel);
      const text = field(fields.text);
      if (method === "chat.postMessage") {
        const ts = `1700000000.${String(counter++).padStart(6, "0")}`;
        messages.push({ method, channel: "C0CRASH01", ts, text, ...(fields.thread_ts ? { thread_ts: field(fields.thread_ts) } : {}) });
        return send({ ok: true, channel: "C0CRASH01", ts, message: { type: "message", text, ts, bot_id: "B0CRASH01" } });
      }
      if (method === "chat.update") {
        messages.push({ method, channel, ts: field(fields.ts), text });
        return send({ ok: true, channel, ts: fields.ts, text, message: { type: "message", text } });
      }
      return send({ ok: false, error: "unknown_method" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
