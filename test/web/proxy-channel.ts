import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";

/**
 * A local webhook proxy service that speaks smee.io's protocol, so no test reaches smee.io:
 * `HEAD /new` answers a redirect to a new channel; `GET /<channel>` (Accept: text/event-stream)
 * is the stream a client listens on; `POST /<channel>` is where GitHub delivers, and the service
 * relays it to every listener as one `message` event of the headers with `body` and `query`.
 */
export interface ProxyChannelService {
  base: string;
  /** How many channels were asked for. */
  created: number;
  /** Resolves once some client listens on the channel. */
  listening(channel: string): Promise<void>;
  close(): Promise<void>;
}

export async function startProxyChannelService(): Promise<ProxyChannelService> {
  const listeners = new Map<string, Set<ServerResponse>>();
  const waiting = new Map<string, (() => void)[]>();
  let created = 0;
  const server: Server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://local");
    if (req.method === "HEAD" && url.pathname === "/new") {
      created++;
      res.writeHead(307, { location: `${service.base}/${randomBytes(8).toString("hex")}` }).end();
      return;
    }
    const channel = url.pathname.slice(1);
    if (req.method === "GET" && req.headers.accept?.includes("text/event-stream")) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      res.write("event: ready\ndata: {}\n\n");
      const set = listeners.get(channel) ?? new Set();
      set.add(res);
      listeners.set(channel, set);
      req.on("close", () => set.delete(res));
      for (const resolve of waiting.get(channel) ?? []) resolve();
      waiting.delete(channel);
      return;
    }
    if (req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "host"]);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !hopByHop.has(k)).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]),
      );
      const event = { ...headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown, query: Object.fromEntries(url.searchParams) };
      for (const listener of listeners.get(channel) ?? []) listener.write(`data: ${JSON.stringify(event)}\n\n`);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    res.writeHead(404).end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const service: ProxyChannelService = {
    base: `http://127.0.0.1:${port}`,
    get created() {
      return created;
    },
    listening: (channel) =>
      new Promise((resolve) => {
        const name = new URL(channel).pathname.slice(1);
        if ((listeners.get(name)?.size ?? 0) > 0) return resolve();
        waiting.set(name, [...(waiting.get(name) ?? []), resolve]);
      }),
    close: () =>
      new Promise((resolve) => {
        for (const set of listeners.values()) for (const res of set) res.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return service;
}
