import { afterEach, describe, expect, it } from "vitest";
import { registerSecret } from "../../../src/core/redactor.js";
import { SmtpClient, type SmtpOptions } from "../../../src/integrations/email/client.js";
import { email } from "../../../src/integrations/email/index.js";
import { DEFAULT_EMAIL_EVENTS, type EmailSettings } from "../../../src/integrations/email/settings.js";
import { EmailSink } from "../../../src/integrations/email/sink.js";
import type { RunEvent, StatusSink } from "../../../src/integrations/kinds/status.js";
import { RunMirror } from "../../../src/runs/mirror.js";
import { memoryMirrorStore, runInfo } from "../../helpers/run-mirror.js";
import { closedPort, parseMail, selfSignedCertificate, startDroppingSmtp, startSilentSmtp, startSmtpServer } from "../../helpers/smtp.js";

/**
 * The email sink against a real SMTP server (smtp-server) on a local port: what arrives, raw, and
 * what the run records when the server refuses, drops the connection, is not there, or never answers.
 */

const PASSWORD = "smtp-test-password-4711";
const settings: EmailSettings = { to: ["dev@acme.test", "lead@acme.test"], events: [...DEFAULT_EMAIL_EVENTS] };
const warnings: unknown[] = [];
const log = { warn: (obj: unknown) => warnings.push(obj) };
const closing: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  warnings.length = 0;
  for (const close of closing.splice(0)) await close();
});

function client(port: number, extra: Partial<SmtpOptions> = {}): SmtpClient {
  const smtp = new SmtpClient({ host: "127.0.0.1", port, secure: false, requireTLS: false, from: "ai-agent <ai-agent@acme.test>", ...extra });
  closing.push(() => smtp.close());
  return smtp;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("the email status mirror", () => {
  it("mails the notable events over STARTTLS with a login, as text and HTML, threaded under the run's first message, none twice after a resume", async () => {
    const tls = selfSignedCertificate();
    const server = await startSmtpServer({ tls, auth: { user: "ai-agent", password: PASSWORD } });
    closing.push(() => server.close());
    const sink = new EmailSink(client(server.port, { requireTLS: true, user: "ai-agent", password: PASSWORD, tls: { ca: tls.cert } }), settings);
    const store = memoryMirrorStore();
    const mirror = new RunMirror([sink], () => runInfo, store, log);
    mirror.emit({ type: "queued" });
    mirror.emit({ type: "started" });
    mirror.emit({ type: "step", step: "Plan", status: "succeeded" });
    mirror.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    mirror.emit({ type: "succeeded", summary: "Added <b>dark</b> mode & a toggle." });
    await mirror.flush();
    // A resumed run emits its events again; no mail goes out twice.
    const resumed = new RunMirror([sink], () => runInfo, store, log);
    resumed.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    resumed.emit({ type: "succeeded", summary: "Added dark mode." });
    await resumed.flush();

    expect(warnings).toEqual([]);
    expect(server.received).toHaveLength(2);
    expect(server.received.map((m) => [m.from, m.to, m.secure, m.user])).toEqual([
      ["ai-agent@acme.test", ["dev@acme.test", "lead@acme.test"], true, "ai-agent"],
      ["ai-agent@acme.test", ["dev@acme.test", "lead@acme.test"], true, "ai-agent"],
    ]);
    const [opened, done] = server.received.map((m) => parseMail(m.raw));
    expect(opened!.headers["message-id"]).toBe("<run-run-1@ai-agent.example>");
    expect(opened!.headers["in-reply-to"]).toBeUndefined();
    expect(done!.headers["message-id"]).toBe("<run-run-1-succeeded@ai-agent.example>");
    expect(done!.headers["in-reply-to"]).toBe("<run-run-1@ai-agent.example>");
    expect(done!.headers.references).toBe("<run-run-1@ai-agent.example>");
    expect(opened!.headers.subject).toBe("[ai-agent] implement acme/widgets#7: ABC-12: add <dark> mode");
    expect(done!.headers.subject).toBe(opened!.headers.subject);
    expect(opened!.headers["content-type"]).toMatch(/^multipart\/alternative;/);
    expect(Object.keys(opened!.parts)).toEqual(["text/plain", "text/html"]);
    expect(opened!.parts["text/plain"]).toContain("Pull request opened for acme/widgets#7");
    expect(opened!.parts["text/plain"]).toContain("implement for octocat on acme/widgets#7: ABC-12: add <dark> mode");
    expect(opened!.parts["text/plain"]).toContain("https://github.com/acme/widgets/pull/8");
    expect(opened!.parts["text/html"]).toContain('<a href="https://github.com/acme/widgets/pull/8">');
    // Text from the issue and the model is escaped in the HTML part, as it is.
    expect(opened!.parts["text/html"]).toContain("ABC-12: add &lt;dark&gt; mode");
    expect(opened!.parts["text/html"]).not.toContain("<dark>");
    expect(done!.parts["text/html"]).toContain("Added &lt;b&gt;dark&lt;/b&gt; mode &amp; a toggle.");
    expect(done!.parts["text/plain"]).toContain("Cost so far: $1.23");
    expect(store.links).toMatchObject({ emailSent_pr_opened: "<run-run-1@ai-agent.example>", emailSent_succeeded: "<run-run-1-succeeded@ai-agent.example>" });
    expect(server.logins.every((login) => login.secure)).toBe(true);
  });

  it("never sends a credential or an installation token in a mail", async () => {
    const server = await startSmtpServer();
    closing.push(() => server.close());
    const leaked = "ghs_emailredactiontoken42";
    registerSecret(leaked);
    const mirror = new RunMirror([new EmailSink(client(server.port), settings)], () => runInfo, memoryMirrorStore(), log);
    mirror.emit({ type: "failed", message: `git push failed with ${leaked}` });
    await mirror.flush();
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.raw).not.toContain(leaked);
    expect(parseMail(server.received[0]!.raw).parts["text/plain"]).toContain("git push failed with [redacted]");
  });

  it("keeps a title with line breaks on the subject's one line: it cannot add a header such as Bcc", async () => {
    const server = await startSmtpServer();
    closing.push(() => server.close());
    const hostile = { ...runInfo, title: "Fix it\r\nBcc: all@evil.test\r\n\r\n<script>x</script>" };
    const mirror = new RunMirror([new EmailSink(client(server.port), settings)], () => hostile, memoryMirrorStore(), log);
    mirror.emit({ type: "succeeded" });
    await mirror.flush();
    expect(server.received.map((m) => m.to)).toEqual([["dev@acme.test", "lead@acme.test"]]);
    const { headers, parts } = parseMail(server.received[0]!.raw);
    expect(headers.bcc).toBeUndefined();
    expect(headers.subject).toBe("[ai-agent] implement acme/widgets#7: Fix it Bcc: all@evil.test <script>x</script>");
    expect(parts["text/html"]).toContain("&lt;script&gt;x&lt;/script&gt;");
  });

  it.each<[string, (server: Awaited<ReturnType<typeof startSmtpServer>>) => void, RegExp]>([
    ["a 5xx to every recipient", (s) => (s.answers.rcpt = () => [550, "5.1.1 no such mailbox"]), /^the SMTP server at 127\.0\.0\.1:\d+ answered to RCPT with a refusal: 550 5\.1\.1 no such mailbox$/],
    ["a 4xx to the message", (s) => (s.answers.data = () => [451, "4.3.0 try again later"]), /^the SMTP server at 127\.0\.0\.1:\d+ answered to DATA with a temporary refusal: 451 4\.3\.0 try again later$/],
  ])("records %s on the run, once, and goes on", async (_name, refuse, reason) => {
    const server = await startSmtpServer();
    closing.push(() => server.close());
    refuse(server);
    const store = memoryMirrorStore();
    const mirror = new RunMirror([new EmailSink(client(server.port), settings)], () => runInfo, store, log);
    mirror.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    mirror.emit({ type: "failed", message: "tests failed" });
    await mirror.flush();
    expect(server.received).toEqual([]);
    expect(store.links.emailError).toMatch(reason);
    expect(warnings).toEqual([{ run: "run-1", sink: "email", reason: store.links.emailError }]);
  });

  it("records a dropped connection, and a server that is not there", async () => {
    const dropping = await startDroppingSmtp();
    closing.push(() => dropping.close());
    const dropped = memoryMirrorStore();
    const first = new RunMirror([new EmailSink(client(dropping.port), settings)], () => runInfo, dropped, log);
    first.emit({ type: "succeeded" });
    await first.flush();
    expect(dropped.links.emailError).toMatch(/^could not reach the SMTP server at 127\.0\.0\.1:\d+, or it dropped the connection \(E[A-Z]+/);

    const absent = memoryMirrorStore();
    const second = new RunMirror([new EmailSink(client(await closedPort()), settings)], () => runInfo, absent, log);
    second.emit({ type: "succeeded" });
    await second.flush();
    expect(absent.links.emailError).toMatch(/^could not reach the SMTP server at 127\.0\.0\.1:\d+, or it dropped the connection \(.*ECONNREFUSED/);
  });

  it("a server that never answers holds up no other sink, and its failure is recorded when the connection ends", async () => {
    const silent = await startSilentSmtp();
    closing.push(() => silent.close());
    const heard: RunEvent["type"][] = [];
    const other: StatusSink = {
      name: "other",
      handle: (event) => {
        heard.push(event.type);
        return Promise.resolve();
      },
    };
    const store = memoryMirrorStore();
    const mirror = new RunMirror([new EmailSink(client(silent.port), settings), other], () => runInfo, store, log);
    mirror.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    mirror.emit({ type: "step", step: "Test", status: "succeeded" });
    mirror.emit({ type: "succeeded" });
    await until(() => heard.length === 3 && silent.connected() === 1);
    expect(heard).toEqual(["pr_opened", "step", "succeeded"]);
    expect(store.links.emailError).toBeUndefined();
    silent.release();
    await mirror.flush();
    expect(store.links.emailError).toMatch(/dropped the connection/);
    expect(warnings).toHaveLength(1);
  });

  it("with SMTP_USER, sends nothing, and no password, to a server that offers no STARTTLS unless SMTP_REQUIRE_TLS is false", async () => {
    const server = await startSmtpServer({ auth: { user: "ai-agent", password: PASSWORD } });
    closing.push(() => server.close());
    const variables = { SMTP_HOST: "127.0.0.1", SMTP_PORT: server.port, SMTP_USER: "ai-agent", SMTP_PASSWORD: PASSWORD, SMTP_FROM: "ai-agent@acme.test" };
    const sinkFor = (extra: { SMTP_REQUIRE_TLS?: "true" | "false" }) => email.connect({ ...variables, ...extra })!.forRepository(settings).sink!;

    const refused = memoryMirrorStore();
    const strict = new RunMirror([sinkFor({})], () => runInfo, refused, log);
    strict.emit({ type: "succeeded" });
    await strict.flush();
    expect(refused.links.emailError).toMatch(/offers no STARTTLS \(it answered 500 .*\), and SMTP_REQUIRE_TLS asks for it$/);
    expect(server.logins).toEqual([]);
    expect(JSON.stringify([warnings, refused.links])).not.toContain(PASSWORD);

    const allowed = memoryMirrorStore();
    const lax = new RunMirror([sinkFor({ SMTP_REQUIRE_TLS: "false" })], () => runInfo, allowed, log);
    lax.emit({ type: "succeeded" });
    await lax.flush();
    expect(allowed.links.emailError).toBeUndefined();
    expect(server.received.map((m) => m.user)).toEqual(["ai-agent"]);
  });

  it("a wrong password is recorded without the password", async () => {
    const server = await startSmtpServer({ auth: { user: "ai-agent", password: PASSWORD } });
    closing.push(() => server.close());
    const store = memoryMirrorStore();
    const mirror = new RunMirror([new EmailSink(client(server.port, { user: "ai-agent", password: "not-the-password-99" }), settings)], () => runInfo, store, log);
    mirror.emit({ type: "succeeded" });
    await mirror.flush();
    expect(store.links.emailError).toMatch(/^the SMTP server at 127\.0\.0\.1:\d+ answered to AUTH with a refusal: 535 5\.7\.8 authentication failed$/);
    expect(JSON.stringify([warnings, store.links])).not.toContain("not-the-password-99");
  });
});
