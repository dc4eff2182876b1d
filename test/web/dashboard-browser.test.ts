import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardRig, INSTALLATION_ID, startDashboardRig } from "../helpers/dashboard-rig.js";
import { type SeededRuns, seedDashboard } from "../helpers/dashboard-seed.js";
import { JobQueue } from "../../src/runs/queue.js";

/**
 * The dashboard in a real browser — Debian's chromium, driven by playwright-core — against the whole
 * app, a seeded database and a local fake GitHub's sign-in: sign in, see only permitted runs, filter,
 * open one, watch it update live, stop it, read the usage chart; someone without access sees nothing.
 * With DASHBOARD_SCREENSHOTS=<folder> the screenshots go there (`npm run docs:screenshots` writes
 * docs/screenshots/); otherwise to a temporary folder.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const shots = process.env.DASHBOARD_SCREENSHOTS ? resolve(process.env.DASHBOARD_SCREENSHOTS) : mkdtempSync(join(tmpdir(), "dashboard-shots-"));

describe("the dashboard in a browser", () => {
  let rig: DashboardRig;
  let browser: Browser;
  let seeded: SeededRuns;
  let jobs: JobQueue;
  let failedJob: string;
  const attempts: number[] = [];

  beforeAll(async () => {
    // Not skipped without a browser: a browser test that did not run proves nothing.
    if (!existsSync(CHROMIUM)) throw new Error(`the dashboard's browser test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it), or CHROMIUM_PATH naming another`);
    mkdirSync(shots, { recursive: true });
    rig = await startDashboardRig(
      [
        { login: "mona", id: 1, repos: ["acme/widgets", "acme/api", "acme/web"], push: ["acme/widgets", "acme/api", "acme/web"], admin: ["acme/widgets"] },
        { login: "stranger", id: 3, repos: [] },
      ],
    );
    seeded = await seedDashboard(rig.app.database.store, { installationId: INSTALLATION_ID });
    // A job of another kind beside the app's, failing its first attempt as a job whose GitHub call timed out would.
    jobs = new JobQueue(rig.app.database, { concurrency: 1, lockLifetimeMs: 60_000, pollMs: 100 });
    jobs.define<{ owner: string; repo: string; number: number }>("sync_labels", async () => {
      attempts.push(attempts.length + 1);
      if (attempts.length === 1) throw new Error("GitHub answered 502 while syncing labels of acme/widgets#44");
    });
    await jobs.start();
    failedJob = await jobs.enqueue("sync_labels", { owner: "acme", repo: "widgets", number: 44 });
    for (let i = 0; i < 100 && (await rig.app.database.queueJobs.job(failedJob))?.failCount !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    // As root chromium needs --no-sandbox; the background-networking flags keep it off the (closed) network.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 90_000);
  afterAll(async () => {
    await jobs?.drain(5_000);
    await browser?.close();
    await rig?.close();
  });

  async function signedIn(login: string, path: string): Promise<Page> {
    rig.github.signInAs(login);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${rig.app.base}${path}`);
    // Not signed in: the app sends the browser to GitHub, whose page asks to authorise the app.
    await expect.poll(() => page.title()).toBe("Authorize application");
    await page.click("#authorize");
    await page.waitForURL(`${rig.app.base}${path}`);
    return page;
  }

  it("signs in with GitHub and lists only the runs of repositories the person can read", async () => {
    const page = await signedIn("mona", "/runs");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(seeded.all.length - 1);
    const text = await page.locator("main").innerText();
    expect(text).toContain("acme/widgets#48");
    expect(text).toContain("acme/api#12");
    expect(text).not.toContain("acme/secret");
    await page.screenshot({ path: join(shots, "runs.png"), fullPage: true });

    await page.selectOption("select[name=task]", "implement");
    await page.selectOption("select[name=repo]", "acme/widgets");
    await page.click("button[type=submit]:has-text('Filter')");
    await page.waitForURL(/task=implement/);
    const rows = await page.locator("tbody tr").allInnerTexts();
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row).toMatch(/acme\/widgets#\d+\s+implement/);
    await page.context().close();
  });

  it("opens a run, follows it live, and stops it", async () => {
    const store = rig.app.database.store;
    const page = await signedIn("mona", "/runs");
    await page.click(`a[href="/runs/${seeded.running.id}"]`);
    await page.waitForURL(`${rig.app.base}/runs/${seeded.running.id}`);
    await expect.poll(() => page.locator("[data-live-state]").innerText()).toBe("live");
    expect(await page.locator("h1").innerText()).toBe("implement · acme/widgets#48");
    expect(await page.locator("#turns + table tbody tr").count()).toBe(2);
    expect(await page.locator("ol.events > li").count()).toBe(4);
    await page.locator("ol.events > li summary", { hasText: "npm test" }).click();
    expect(await page.locator("ol.events > li", { hasText: "npm test" }).locator("pre").innerText()).toContain("Tests  12 passed (12)");
    await page.screenshot({ path: join(shots, "run.png"), fullPage: true });

    // The worker moves on: the page shows the next step without a reload.
    const current = (await store.getRun(seeded.running.id))!;
    const steps = current.steps.map((step) => (step.status === "running" ? { ...step, status: "succeeded" as const, finishedAt: new Date() } : step));
    await store.updateRun(seeded.running.id, { steps: [...steps, { id: "test", name: "Run the tests", status: "running", attempts: 1, startedAt: new Date() }] });
    await expect.poll(() => page.locator("section[data-live]").innerText(), { timeout: 10_000 }).toContain("Run the tests");

    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("button:has-text('Stop run')");
    await page.waitForURL(/flash=stopping/);
    expect(await page.locator("[role=status]").first().innerText()).toContain("Stop asked: the run stops at its next step.");
    await expect.poll(() => page.locator("section[data-live]").innerText()).toContain("stop asked by mona");
    expect((await store.getRun(seeded.running.id))?.stopRequestedBy).toBe("mona");

    // The worker stops at the step's end; the page follows, and the stream ends.
    await store.updateRun(seeded.running.id, { status: "stopped", finishedAt: new Date() });
    await expect.poll(() => page.locator("section[data-live] .badge").first().innerText(), { timeout: 10_000 }).toBe("stopped");
    await expect.poll(() => page.locator("[data-live-state]").innerText()).toBe("finished");
    await page.context().close();
  });

  it("opens a run's page from its tracking comment's link, after sign-in, with its timeline, turns and links", async () => {
    // The address the tracking comment carries, signed: a browser gets the page once signed in.
    const link = new URL(rig.app.runUrl(seeded.finished.id));
    const page = await signedIn("mona", `${link.pathname}${link.search}`);
    expect(await page.locator("h1").innerText()).toBe("implement · acme/widgets#41");
    expect(await page.locator("svg.timeline rect").count()).toBe(5);
    expect(await page.locator("a:has-text('Pull request')").getAttribute("href")).toBe("https://github.com/acme/widgets/pull/141");
    expect(await page.locator("#turns + table tfoot").innerText()).toContain("$0.17");
    expect(await page.locator("button:has-text('Stop run')").count()).toBe(0);
    await page.context().close();
  });

  it("reads the usage chart", async () => {
    const page = await signedIn("mona", "/usage");
    const budget = page.locator("figure.chart").first();
    expect(await budget.locator("figcaption").innerText()).toBe("Spend this month against each repository's budget");
    expect(await budget.locator("svg rect").count()).toBe(3);
    const labels = await budget.locator("svg text").allTextContents();
    expect(labels).toContain("acme/widgets");
    expect(labels.join(" ")).not.toContain("acme/secret");
    expect(await page.locator("figure.chart figcaption").allInnerTexts()).toEqual(
      expect.arrayContaining(["Cost by month", "Cost by task", "Cost by person"]),
    );
    await page.screenshot({ path: join(shots, "usage.png"), fullPage: true });
    await page.context().close();
  });

  it("shows the queue's health, and retries a failed job for an admin", async () => {
    const page = await signedIn("mona", "/queue");
    expect(await page.locator("h1").innerText()).toBe("Queue & health");
    const row = page.locator("tr", { hasText: "sync_labels" });
    expect(await row.innerText()).toContain("GitHub answered 502 while syncing labels");
    await expect.poll(() => page.locator("tr", { hasText: "worker" }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, "queue.png"), fullPage: true });
    await row.locator("button:has-text('Retry')").click();
    await page.waitForURL(/flash=retried/);
    await expect.poll(() => attempts.length, { timeout: 10_000 }).toBe(2);
    await page.reload();
    await expect.poll(async () => { await page.reload(); return page.locator("tr", { hasText: "sync_labels" }).count(); }, { timeout: 10_000 }).toBe(0);
    await page.context().close();
  });

  it("issues an API token and shows its secret once", async () => {
    const page = await signedIn("mona", "/tokens");
    await page.fill("input[name=name]", "nightly report");
    await page.check("input[value='usage:read']");
    await page.click("button:has-text('Issue token')");
    const secret = await page.locator("pre[data-secret]").innerText();
    expect(secret).toMatch(/^aia_[A-Za-z0-9_-]{43}$/);
    expect(await page.locator("tbody tr").innerText()).toContain("nightly report");
    await page.screenshot({ path: join(shots, "tokens.png"), fullPage: true });
    await page.goto(`${rig.app.base}/tokens`);
    expect(await page.locator("main").innerText()).not.toContain(secret);
    await page.context().close();
  });

  it("shows a person without access nothing", async () => {
    const page = await signedIn("stranger", "/runs");
    expect(await page.locator("main").innerText()).toContain("You cannot read any repository this app is installed on");
    expect(await page.locator("tbody tr").count()).toBe(0);
    const response = await page.goto(`${rig.app.base}/runs/${seeded.finished.id}`);
    expect(response?.status()).toBe(404);
    expect(await page.locator("main").innerText()).not.toContain("acme/widgets#41");
    await page.context().close();
  });
});
