import { type TestApp, APP_ID, startTestApp } from "./app-server.js";
import { type FakeGitHubWeb, type FakePerson, startFakeGitHubWeb } from "./fake-github-web.js";

/**
 * The whole app with sign-in through a local fake GitHub that a browser (or fetch) can really be
 * sent to, and a way to sign a person in without a browser: the same redirects a browser follows.
 */

export const CLIENT_ID = "Iv1.8a61f9b3a7aba766";
export const CLIENT_SECRET = "1a2b3c4d5e6f7a8b9c0d";
export const INSTALLATION_ID = 4711;

export interface DashboardRig {
  app: TestApp;
  github: FakeGitHubWeb;
  /** The session cookie (`name=value`) of `login`, signed in through the whole OAuth flow. */
  signIn(login: string): Promise<string>;
  close(): Promise<void>;
}

export async function startDashboardRig(people: FakePerson[], env: Record<string, string> = {}): Promise<DashboardRig> {
  const github = await startFakeGitHubWeb({ appId: APP_ID, installationId: INSTALLATION_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, people });
  const app = await startTestApp({}, { env: { GITHUB_CLIENT_ID: CLIENT_ID, GITHUB_CLIENT_SECRET: CLIENT_SECRET, GHE_HOST: github.host, GHE_PROTOCOL: "http", ...env } });
  const cookieOf = (response: Response) => response.headers.getSetCookie().map((c) => c.slice(0, c.indexOf(";")));
  return {
    app,
    github,
    async signIn(login) {
      github.signInAs(login);
      const start = await fetch(`${app.base}/login?next=/runs`, { redirect: "manual" });
      const state = cookieOf(start).join("; ");
      const approve = await fetch(new URL(start.headers.get("location")!).toString().replace("/login/oauth/authorize", "/login/oauth/authorize/approve"), { redirect: "manual" });
      const back = await fetch(approve.headers.get("location")!, { redirect: "manual", headers: { cookie: state } });
      if (back.status !== 302) throw new Error(`sign-in ended with HTTP ${back.status}: ${await back.text()}`);
      const session = cookieOf(back).find((c) => c.startsWith("ai_agent_session=") && c.length > "ai_agent_session=".length);
      if (!session) throw new Error("sign-in set no session cookie");
      return session;
    },
    async close() {
      await app.close();
      await github.close();
    },
  };
}
