import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/env.js";
import { createAppAccess } from "../../../src/integrations/github/app-access.js";
import { tokenScope } from "../../../src/integrations/github/token-scope.js";
import { probotOptions } from "../../../src/integrations/github/probot-options.js";
import { pino } from "pino";
import { generatePrivateKey } from "../../helpers/keys.js";

describe("GHE_HOST", () => {
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("steers the app's REST and GraphQL calls to the Enterprise host", async () => {
    nock.disableNetConnect();
    const config = loadConfig({ APP_ID: "77", PRIVATE_KEY: generatePrivateKey(), GHE_HOST: "ghe.example.com" });
    const probot = new Probot(probotOptions(config, pino({ level: "silent" })));

    const ghe = nock("https://ghe.example.com")
      .post("/api/v3/app/installations/9/access_tokens")
      .reply(201, { token: "ghs_installation", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" })
      .get("/api/v3/repos/octo/repo")
      .reply(200, { id: 1, full_name: "octo/repo" })
      .post("/api/graphql")
      .reply(200, { data: { viewer: { login: "ai-agent[bot]" } } });

    const octokit = await probot.auth(9);
    const { data } = await octokit.rest.repos.get({ owner: "octo", repo: "repo" });
    expect(data.full_name).toBe("octo/repo");
    const result = await octokit.graphql<{ viewer: { login: string } }>("{ viewer { login } }");
    expect(result.viewer.login).toBe("ai-agent[bot]");
    expect(ghe.isDone()).toBe(true);
  });

  it("asks the Enterprise host for tokens scoped to the run's repository and task", async () => {
    nock.disableNetConnect();
    const config = loadConfig({ APP_ID: "77", PRIVATE_KEY: generatePrivateKey(), GHE_HOST: "ghe.example.com" });
    const access = createAppAccess(config, pino({ level: "silent" }));
    let asked: unknown;
    const ghe = nock("https://ghe.example.com")
      .post("/api/v3/app/installations/9/access_tokens", (body: unknown) => ((asked = body), true))
      .reply(201, { token: "ghs_scoped", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "selected" })
      .get("/api/v3/repos/octo/repo")
      .matchHeader("authorization", "token ghs_scoped")
      .reply(200, { id: 1, full_name: "octo/repo" });
    const octokit = await access.github(9, tokenScope("repo", "review"));
    expect((await octokit.rest.repos.get({ owner: "octo", repo: "repo" })).data.full_name).toBe("octo/repo");
    expect(asked).toEqual({ repositories: ["repo"], permissions: { metadata: "read", contents: "read", issues: "write", pull_requests: "write", checks: "write" } });
    expect(ghe.isDone()).toBe(true);
  });

  it("gives up on a GitHub call that does not answer within GITHUB_REQUEST_TIMEOUT_MS", async () => {
    nock.disableNetConnect();
    const config = loadConfig({ APP_ID: "77", PRIVATE_KEY: generatePrivateKey(), GITHUB_REQUEST_TIMEOUT_MS: "200" });
    // Octokit's retry plugin would try three more times, seconds apart; one attempt shows the timeout.
    class Octokit extends ProbotOctokit {
      constructor(options: ConstructorParameters<typeof ProbotOctokit>[0] = {}) {
        super({ ...options, retry: { enabled: false } });
      }
    }
    const probot = new Probot({ ...probotOptions(config, pino({ level: "silent" })), Octokit });
    nock("https://api.github.com")
      .post("/app/installations/9/access_tokens")
      .reply(201, { token: "ghs_installation", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" })
      .get("/repos/octo/slow")
      .delay(2_000)
      .reply(200, { id: 1 });
    const octokit = await probot.auth(9);
    await expect(octokit.rest.repos.get({ owner: "octo", repo: "slow" })).rejects.toThrow(/abort|timeout/i);
  });
});
