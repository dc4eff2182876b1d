import { afterEach, describe, expect, it } from "vitest";
import { type TestApp, startTestApp } from "../helpers/app-server.js";

/** The whole app serves /api/v1 only where people can sign in: with the App's OAuth client. */
describe("/api/v1 in the app", () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("is not there without the App's OAuth client", async () => {
    app = await startTestApp();
    expect((await fetch(`${app.base}/api/v1/runs`)).status).toBe(404);
    expect((await fetch(`${app.base}/api/v1/openapi.json`)).status).toBe(404);
  });

  it("asks for credentials, and describes itself, with it", async () => {
    app = await startTestApp({}, { env: { GITHUB_CLIENT_ID: "Iv1.8a61f9b3a7aba766", GITHUB_CLIENT_SECRET: "1a2b3c4d5e6f" } });
    const runs = await fetch(`${app.base}/api/v1/runs`);
    expect(runs.status).toBe(401);
    expect(await runs.json()).toMatchObject({ sign_in: "/login?next=%2F" });
    const document = await fetch(`${app.base}/api/v1/openapi.json`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { openapi: string }).openapi).toBe("3.1.0");
  });
});
