import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/env.js";
import { loadEnvFile, updateEnvFile } from "../../src/web/env-file.js";
import { generatePrivateKey } from "../helpers/keys.js";

describe(".env, as the setup page writes it and the process reads it", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ai-agent-env-"));
    file = path.join(dir, ".env");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes a private key that reads back as the same key, and the config accepts it", async () => {
    const pem = generatePrivateKey();
    updateEnvFile(file, { APP_ID: "77", PRIVATE_KEY: pem, WEBHOOK_SECRET: "s3cret-s3cret" });
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(file, env).sort()).toEqual(["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"]);
    expect(env.PRIVATE_KEY).toBe(pem);
    expect(loadConfig(env).privateKey?.trim()).toBe(pem.trim());
  });

  it("replaces the lines it sets, a key pasted over several lines included, and leaves the rest as it was", async () => {
    const pasted = generatePrivateKey().trim();
    await writeFile(file, `# GitHub App\nAPP_ID=\nPRIVATE_KEY="${pasted}"\n\n# Agent\nANTHROPIC_API_KEY=sk-ant-kept\n`);
    const fresh = generatePrivateKey();
    updateEnvFile(file, { APP_ID: "12", PRIVATE_KEY: fresh, WEBHOOK_PROXY_URL: "https://smee.io/abc" });
    const text = await readFile(file, "utf8");
    expect(text.startsWith("# GitHub App\nAPP_ID=12\nPRIVATE_KEY=\"-----BEGIN RSA PRIVATE KEY-----\\n")).toBe(true);
    expect(text).toContain("\n\n# Agent\nANTHROPIC_API_KEY=sk-ant-kept\nWEBHOOK_PROXY_URL=https://smee.io/abc\n");
    expect(text).not.toContain(pasted.split("\n")[1]);
    const env: NodeJS.ProcessEnv = {};
    loadEnvFile(file, env);
    expect(env).toEqual({ APP_ID: "12", PRIVATE_KEY: fresh, ANTHROPIC_API_KEY: "sk-ant-kept", WEBHOOK_PROXY_URL: "https://smee.io/abc" });
  });

  it("fills variables the environment leaves empty (docker-compose's env_file), never ones it sets", async () => {
    await writeFile(file, "APP_ID=99\nPORT=4000\nLOG_LEVEL=debug\n");
    const env: NodeJS.ProcessEnv = { APP_ID: "", PORT: "3000" };
    expect(loadEnvFile(file, env).sort()).toEqual(["APP_ID", "LOG_LEVEL"]);
    expect(env).toEqual({ APP_ID: "99", PORT: "3000", LOG_LEVEL: "debug" });
    expect(loadEnvFile(path.join(dir, "missing.env"), env)).toEqual([]);
  });

  it("writes through a symbolic link, as the image links /app/.env into its config volume", async () => {
    await mkdir(path.join(dir, "config"));
    await symlink(path.join(dir, "config", ".env"), file);
    updateEnvFile(file, { APP_ID: "5" });
    expect((await lstat(file)).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(dir, "config", ".env"), "utf8")).toBe("APP_ID=5\n");
  });

  it("refuses a value it could not write so that it reads back the same", () => {
    expect(() => updateEnvFile(file, { WEBHOOK_SECRET: 'has"quote' })).toThrow(/double quote/);
  });
});
