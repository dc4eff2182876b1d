import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * git's smart HTTP protocol for the bare repositories under `projectRoot`, served by git's own
 * `git http-backend` as a CGI program — clone, fetch and push over real HTTP, as against GitHub.
 * `requiredAuthorization`, when given, is the exact Authorization header a request must carry.
 */
export function serveGit(projectRoot: string, req: IncomingMessage, res: ServerResponse, body: Buffer, requiredAuthorization?: string): void {
  if (requiredAuthorization && req.headers.authorization !== requiredAuthorization) {
    res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" }).end("Authentication failed\n");
    return;
  }
  const url = new URL(req.url ?? "/", "http://git.local");
  const cgi = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "",
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: "1",
      // http-backend allows pushes only from an authenticated user.
      REMOTE_USER: "x-access-token",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      CONTENT_LENGTH: String(body.length),
      HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  cgi.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  cgi.stderr.resume();
  cgi.stdin.on("error", () => undefined);
  cgi.stdin.end(body);
  cgi.on("close", () => {
    const all = Buffer.concat(out);
    const split = all.indexOf("\r\n\r\n");
    const headerEnd = split >= 0 ? split : all.indexOf("\n\n");
    const headerText = all.subarray(0, headerEnd).toString("latin1");
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of headerText.split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "status") status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    if (res.destroyed) return;
    res.writeHead(status, headers).end(all.subarray(headerEnd + (split >= 0 ? 4 : 2)));
  });
}
