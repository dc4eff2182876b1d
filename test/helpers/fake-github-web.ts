import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * GitHub's side of signing in, as a real HTTP server a browser can be sent to: the authorize page
 * (with its Authorize button), the code exchange, and the REST endpoints a person's token reads —
 * /user, /user/installations, an installation's repositories, a repository with the person's
 * permissions — in GitHub's answer shapes, under /api/v3 as GitHub Enterprise Server serves them.
 */

export interface FakePerson {
  login: string;
  id: number;
  /** Repositories the person can read, `owner/name`, in the App's installation. */
  repos: string[];
  /** Of those, the ones they may push to, and administer. */
  push?: string[];
  admin?: string[];
}

export interface FakeGitHubWeb {
  /** http://127.0.0.1:port — GHE_HOST is its host and port, GHE_PROTOCOL http. */
  web: string;
  host: string;
  /** Who is "signed in to GitHub" in the browser, so who the next authorisation is for. */
  signInAs(login: string): void;
  /** Requests seen, as `METHOD /path`. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeGitHubWeb(options: { appId: number; installationId: number; clientId: string; clientSecret: string; people: FakePerson[] }): Promise<FakeGitHubWeb> {
  const people = new Map(options.people.map((person) => [person.login, person]));
  const tokens = new Map<string, FakePerson>();
  const codes = new Map<string, FakePerson>();
  let current: FakePerson | undefined = options.people[0];
  const requests: string[] = [];

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      req.on("end", () => resolve(text));
    });
  const personOf = (req: IncomingMessage) => {
    const token = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    return token ? tokens.get(token) : undefined;
  };
  const repoJson = (person: FakePerson, fullName: string) => {
    const [owner = "", name = ""] = fullName.split("/");
    return {
      id: Math.abs([...fullName].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)),
      node_id: `R_${Buffer.from(fullName).toString("base64url")}`,
      name,
      full_name: fullName,
      private: true,
      owner: { login: owner, id: 1, type: "Organization" },
      html_url: `http://github.example/${fullName}`,
      permissions: { admin: person.admin?.includes(fullName) ?? false, maintain: false, push: person.push?.includes(fullName) ?? false, triage: false, pull: true },
    };
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      requests.push(`${req.method} ${url.pathname}`);
      if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
        if (url.searchParams.get("client_id") !== options.clientId) return json(res, 404, { message: "Not Found" });
        const approve = new URL("/login/oauth/authorize/approve", "http://localhost");
        for (const name of ["redirect_uri", "state"]) approve.searchParams.set(name, url.searchParams.get(name) ?? "");
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(`<!doctype html><title>Authorize application</title><h1>Authorize ai-agent</h1><p>Signed in as ${current?.login ?? "nobody"}</p><a id="authorize" href="${approve.pathname}${approve.search.replace(/&/g, "&amp;")}">Authorize</a>`);
        return;
      }
      if (req.method === "GET" && url.pathname === "/login/oauth/authorize/approve") {
        if (!current) return json(res, 401, { message: "not signed in to GitHub" });
        const code = randomBytes(10).toString("hex");
        codes.set(code, current);
        const back = new URL(url.searchParams.get("redirect_uri") ?? "");
        back.searchParams.set("code", code);
        back.searchParams.set("state", url.searchParams.get("state") ?? "");
        res.writeHead(302, { location: back.toString() });
        res.end();
        return;
      }
      if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
        const text = await readBody(req);
        const body = (req.headers["content-type"] ?? "").includes("json") ? (JSON.parse(text) as Record<string, string>) : Object.fromEntries(new URLSearchParams(text));
        const person = codes.get(body.code ?? "");
        if (body.client_id !== options.clientId || body.client_secret !== options.clientSecret) return json(res, 200, { error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
        if (!person) return json(res, 200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
        codes.delete(body.code ?? "");
        const token = `ghu_${randomBytes(18).toString("base64url")}`;
        tokens.set(token, person);
        return json(res, 200, { access_token: token, token_type: "bearer", scope: "" });
      }
      const api = /^\/api\/v3(\/.*)$/.exec(url.pathname)?.[1];
      if (api === undefined) return json(res, 404, { message: "Not Found" });
      const person = personOf(req);
      if (!person) return json(res, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      if (api === "/user") return json(res, 200, { login: person.login, id: person.id, node_id: `U_${person.id}`, type: "User", site_admin: false });
      if (api === "/user/installations") {
        const installations = person.repos.length ? [{ id: options.installationId, app_id: options.appId, app_slug: "ai-agent", account: { login: "acme", id: 2, type: "Organization" }, target_type: "Organization" }] : [];
        return json(res, 200, { total_count: installations.length, installations });
      }
      if (api === `/user/installations/${options.installationId}/repositories`) {
        return json(res, 200, { total_count: person.repos.length, repository_selection: "selected", repositories: person.repos.map((name) => repoJson(person, name)) });
      }
      const repo = /^\/repos\/([^/]+)\/([^/]+)$/.exec(api);
      if (repo) {
        const fullName = `${decodeURIComponent(repo[1]!)}/${decodeURIComponent(repo[2]!)}`;
        const found = person.repos.find((name) => name.toLowerCase() === fullName.toLowerCase());
        return found ? json(res, 200, repoJson(person, found)) : json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/repos#get-a-repository" });
      }
      return json(res, 404, { message: "Not Found" });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    web: `http://${host}`,
    host,
    signInAs(login) {
      current = people.get(login);
      if (!current) throw new Error(`no such person in the fake GitHub: ${login}`);
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
