import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Server-sent events for a page that follows a run: the page's live part, rendered again on the
 * server whenever it changed, as `update` events, and `end` once the run is over. The store is
 * read every `pollMs` — every backend answers that, and a web process does not hear the workers
 * otherwise. A stream lasts at most `maxMs` (EventSource reconnects by itself) and a process serves
 * at most MAX_STREAMS at once, so open tabs cannot hold the server.
 */

export interface LiveFrame {
  html: string;
  /** False once the run is over: the last frame is sent, then `end`. */
  active: boolean;
}

const MAX_STREAMS = 200;
const HEARTBEAT_MS = 15_000;
let open = 0;

/** Each line of the payload as a `data:` line, as the event-stream format has it. */
function event(name: string, data: string): string {
  return `event: ${name}\n${data.split(/\r?\n/).map((line) => `data: ${line}`).join("\n")}\n\n`;
}

export function streamLive(req: IncomingMessage, res: ServerResponse, next: () => Promise<LiveFrame | null>, options: { pollMs: number; maxMs?: number }): void {
  if (open >= MAX_STREAMS) {
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "30" });
    res.end("too many live pages are open on this server; the page still works, reload it for the latest");
    return;
  }
  open++;
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no", connection: "keep-alive" });
  // How soon the browser tries again after a stream ends or drops.
  res.write(`retry: ${Math.max(1000, options.pollMs)}\n\n`);
  let last = "";
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  let lastWrite = Date.now();
  const close = () => {
    if (closed) return;
    closed = true;
    open--;
    if (timer) clearTimeout(timer);
    res.end();
  };
  req.on("close", close);
  const tick = async () => {
    if (closed) return;
    try {
      const frame = await next();
      if (closed) return;
      if (!frame) {
        res.write(event("end", "gone"));
        return close();
      }
      if (frame.html !== last) {
        last = frame.html;
        res.write(event("update", frame.html));
        lastWrite = Date.now();
      }
      if (!frame.active) {
        res.write(event("end", "finished"));
        return close();
      }
      // A comment line keeps proxies from closing an idle stream.
      if (Date.now() - lastWrite >= HEARTBEAT_MS) {
        res.write(": still here\n\n");
        lastWrite = Date.now();
      }
    } catch {
      // A read that failed is tried again at the next tick; the page keeps what it shows.
    }
    if (options.maxMs !== undefined && Date.now() - started >= options.maxMs) return close();
    timer = setTimeout(() => void tick(), options.pollMs);
  };
  void tick();
}

/** Live streams open in this process, for tests and the health page. */
export function openLiveStreams(): number {
  return open;
}
