import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultRepoConfig } from "../../src/config/repo-config.js";
import { loadRepoConfig, parseRepoConfig } from "../../src/workflow/repo-config.js";

/**
 * Organisation-wide configuration and `_extends`, read through the contents API as GitHub answers:
 * the repository's file, else `<owner>/.github`'s, then every file `_extends` names, each problem
 * named by its own file, line and column.
 */

const GITHUB = "https://api.github.com";
const CONFIG = ".github/ai-agent.yml";
const target = { owner: "octo-org", repo: "app", ref: "main" };
/** The repository's own client, and the read-only one scoped to another repository. */
const own = new ProbotOctokit({ auth: { token: "ghs_own" } });
const other = new ProbotOctokit({ auth: { token: "ghs_other" } });
const asked: string[] = [];
const otherRepository = (owner: string, repo: string) => {
  asked.push(`${owner}/${repo}`);
  return Promise.resolve(other);
};

const lines = (...text: string[]) => `${text.join("\n")}\n`;

/** The contents API's answer for a file, base64 wrapped at 60 columns as GitHub sends it. */
function contents(owner: string, repo: string, path: string, text: string) {
  const url = `${GITHUB}/repos/${owner}/${repo}/contents/${path}?ref=main`;
  const sha = "3d21ec53a331a6f037a91c368710b99387d012c1";
  const git = `${GITHUB}/repos/${owner}/${repo}/git/blobs/${sha}`;
  const html = `https://github.com/${owner}/${repo}/blob/main/${path}`;
  const base64 = Buffer.from(text).toString("base64");
  return {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(text),
    name: path.split("/").pop(),
    path,
    content: (base64.match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join(""),
    sha,
    url,
    git_url: git,
    html_url: html,
    download_url: `https://raw.githubusercontent.com/${owner}/${repo}/main/${path}`,
    _links: { self: url, git, html },
  };
}

const notFound = { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content", status: "404" };

/**
 * Serves files by `owner/repo:path` (absent: 404), each only to the client that may read it: the
 * repository's own token for its repository and other owners' public files, the scoped token for
 * another repository of the same owner. Records which file was asked for, at which ref.
 */
function serve(files: Record<string, string>) {
  const requests: string[] = [];
  nock(GITHUB)
    .persist()
    .get(/^\/repos\/([^/]+)\/([^/]+)\/contents\/([^?]+)/)
    .reply(function (uri) {
      const url = new URL(uri, GITHUB);
      const [, owner = "", repo = "", path = ""] = /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(url.pathname) ?? [];
      const file = `${owner}/${repo}:${decodeURIComponent(path)}`;
      const ref = url.searchParams.get("ref");
      requests.push(ref ? `${file}@${ref}` : file);
      const token = String(this.req.headers.authorization);
      const expected = owner === target.owner && repo !== target.repo ? "token ghs_other" : "token ghs_own";
      if (token !== expected) return [404, notFound];
      const text = files[file];
      return text === undefined ? [404, notFound] : [200, contents(owner, repo, decodeURIComponent(path), text)];
    });
  return requests;
}

beforeEach(() => {
  nock.disableNetConnect();
  asked.length = 0;
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("the organisation's .github repository", () => {
  it("gives its configuration to a repository without a file", async () => {
    const requests = serve({ [`octo-org/.github:${CONFIG}`]: lines("version: 1", "triggers:", "  implement_label: org:implement") });
    const result = await loadRepoConfig(own, target, undefined, { otherRepository });
    expect(result).toMatchObject({ ok: true, source: "file", config: { triggers: { implement_label: "org:implement" } } });
    // The repository's file at the ref, then the organisation's on its default branch.
    expect(requests).toEqual([`octo-org/app:${CONFIG}@main`, `octo-org/.github:${CONFIG}`]);
    expect(asked).toEqual(["octo-org/.github"]);
  });

  it("names its own file, line and column for a problem in it", async () => {
    serve({ [`octo-org/.github:${CONFIG}`]: lines("version: 1", "triggers:", "  implement_label: 42") });
    expect(await loadRepoConfig(own, target, undefined, { otherRepository })).toEqual({
      ok: false,
      problems: [{ file: `octo-org/.github:${CONFIG}`, line: 3, column: 20, message: "triggers.implement_label: expected a label name" }],
    });
  });

  it("is not read when the repository has a file", async () => {
    const requests = serve({
      [`octo-org/app:${CONFIG}`]: lines("version: 1"),
      [`octo-org/.github:${CONFIG}`]: lines("version: 1", "triggers:", "  implement_label: org:implement"),
    });
    expect(await loadRepoConfig(own, target, undefined, { otherRepository })).toEqual({ ok: true, source: "file", config: defaultRepoConfig() });
    expect(requests).toEqual([`octo-org/app:${CONFIG}@main`]);
  });

  it("gives the defaults when neither has a file, or the app cannot open the organisation's", async () => {
    serve({});
    expect(await loadRepoConfig(own, target, undefined, { otherRepository })).toEqual({ ok: true, source: "default", config: defaultRepoConfig() });
    // Asking for a token scoped to a repository outside the installation is GitHub's 422.
    const refused = () => Promise.reject(Object.assign(new Error("There is at least one repository that does not exist or is not accessible"), { status: 422 }));
    expect(await loadRepoConfig(own, target, undefined, { otherRepository: refused })).toEqual({ ok: true, source: "default", config: defaultRepoConfig() });
  });

  it("is the .github repository's own file there, read once", async () => {
    const requests = serve({});
    expect(await loadRepoConfig(own, { ...target, repo: ".github" }, undefined, { otherRepository })).toMatchObject({ ok: true, source: "default" });
    expect(requests).toEqual([`octo-org/.github:${CONFIG}@main`]);
  });
});

describe("_extends", () => {
  it("takes each setting from the nearest file that writes it", async () => {
    const requests = serve({
      [`octo-org/app:${CONFIG}`]: lines("_extends: shared", "triggers:", "  implement_label: app:implement"),
      [`octo-org/shared:${CONFIG}`]: lines(
        "version: 1",
        "triggers:",
        "  implement_label: shared:implement",
        '  allow_bots: ["renovate[bot]"]',
        "models:",
        "  implement: claude-opus-5",
      ),
    });
    const result = await loadRepoConfig(own, target, undefined, { otherRepository });
    expect(result).toMatchObject({
      ok: true,
      config: { version: 1, triggers: { implement_label: "app:implement", allow_bots: ["renovate[bot]"] }, models: { implement: "claude-opus-5" } },
    });
    expect(requests).toEqual([`octo-org/app:${CONFIG}@main`, `octo-org/shared:${CONFIG}`]);
  });

  it("follows owner/repo:path and chains, from the organisation's file too", async () => {
    serve({
      [`octo-org/.github:${CONFIG}`]: lines("_extends: octo-org/policies:ai/base.yml", "budgets:", "  usd_per_run: 3"),
      [`octo-org/policies:ai/base.yml`]: lines("_extends: public-org/templates:ai-agent.yaml", "version: 1"),
      [`public-org/templates:ai-agent.yaml`]: lines("version: 1", "budgets:", "  usd_per_run: 9", "  usd_per_repo_month: 100"),
    });
    const result = await loadRepoConfig(own, target, undefined, { otherRepository });
    expect(result).toMatchObject({ ok: true, config: { budgets: { usd_per_run: 3, usd_per_repo_month: 100 } } });
    // Another owner's file is read with the repository's own token: the scoped ones open this owner's only.
    expect(asked).toEqual(["octo-org/.github", "octo-org/policies"]);
  });

  it("places each problem in the file that wrote the setting", async () => {
    serve({
      [`octo-org/app:${CONFIG}`]: lines("_extends: shared", "triggers:", "  implement_label: 42"),
      [`octo-org/shared:${CONFIG}`]: lines("version: 1", "", "models:", "  implement: has a space", "  colour: blue"),
    });
    expect(await loadRepoConfig(own, target, undefined, { otherRepository })).toEqual({
      ok: false,
      problems: [
        { file: CONFIG, line: 3, column: 20, message: "triggers.implement_label: expected a label name" },
        { file: `octo-org/shared:${CONFIG}`, line: 4, column: 14, message: "models.implement: a model name has no spaces" },
        expect.objectContaining({ file: `octo-org/shared:${CONFIG}`, line: 5, column: 3 }),
      ],
    });
  });

  it("says where an _extends names a file that cannot be read", async () => {
    serve({ [`octo-org/app:${CONFIG}`]: lines("version: 1", "_extends: missing-repo") });
    expect(await loadRepoConfig(own, target, undefined, { otherRepository })).toEqual({
      ok: false,
      problems: [
        {
          file: CONFIG,
          line: 2,
          column: 11,
          message: `_extends: cannot read octo-org/missing-repo:${CONFIG}: there is no such file, or this app is not installed on octo-org/missing-repo`,
        },
      ],
    });
  });

  it("reports a loop and a value that names no file, where they are written", async () => {
    serve({
      [`octo-org/app:${CONFIG}`]: lines("version: 1", "_extends: shared"),
      [`octo-org/shared:${CONFIG}`]: lines("version: 1", "_extends: octo-org/app"),
    });
    expect(await loadRepoConfig(own, target, undefined, { otherRepository })).toEqual({
      ok: false,
      problems: [
        {
          file: `octo-org/shared:${CONFIG}`,
          line: 2,
          column: 11,
          message: `_extends: .github/ai-agent.yml is already part of this configuration (.github/ai-agent.yml → octo-org/shared:${CONFIG} → .github/ai-agent.yml); remove the loop`,
        },
      ],
    });
    nock.cleanAll();
    serve({ [`octo-org/app:${CONFIG}`]: lines("version: 1", "_extends: [shared]") });
    expect(await loadRepoConfig(own, target, undefined, { otherRepository })).toEqual({
      ok: false,
      problems: [{ file: CONFIG, line: 2, column: 11, message: '_extends: expected "repo", "owner/repo" or "owner/repo:path/to/file.yml"' }],
    });
  });

  it("is checked for its form, not followed, in a file read on its own (the CLI)", () => {
    expect(parseRepoConfig(lines("version: 1", "_extends: octo-org/shared:ai/base.yml"))).toEqual({ ok: true, source: "file", config: defaultRepoConfig() });
    expect(parseRepoConfig(lines("version: 1", "_extends: ../elsewhere"))).toEqual({
      ok: false,
      problems: [{ file: CONFIG, line: 2, column: 11, message: '_extends: expected "repo", "owner/repo" or "owner/repo:path/to/file.yml"; found "../elsewhere"' }],
    });
  });
});
