import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrationActions } from "../../helpers/integration-actions.js";
import { type TestSmtpServer, parseMail, startSmtpServer } from "../../helpers/smtp.js";

/** `email.send` as a workflow step runs it, against a real SMTP server. */

describe("email.* actions", () => {
  let server: TestSmtpServer;
  let actions: ReturnType<typeof integrationActions>;

  beforeAll(async () => {
    server = await startSmtpServer();
    actions = integrationActions(
      { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(server.port), SMTP_FROM: "ai-agent@acme.test" },
      { email: { to: ["dev@acme.test", "lead@acme.test"] } },
    );
  });
  afterAll(() => server.close());

  it("email.send mails notify.email.to, or some of those addresses", async () => {
    const all = await actions.run("email.send", { subject: "Deployed", text: "v1.2 is out." });
    expect(all).toEqual({ message_id: expect.stringMatching(/^<step-[0-9a-f-]{36}@ai-agent>$/) as unknown });
    await actions.run("email.send", { subject: "Only you", text: "Hi.", to: ["lead@acme.test"] });
    expect(server.received.map((m) => m.to)).toEqual([["dev@acme.test", "lead@acme.test"], ["lead@acme.test"]]);
    const { headers } = parseMail(server.received[0]!.raw);
    expect([headers.subject, headers["message-id"], headers["content-type"]]).toEqual(["Deployed", all.message_id, expect.stringMatching(/^text\/plain/) as unknown]);
  });

  it("email.send refuses an address that notify.email.to does not list, sending nothing", async () => {
    const before = server.received.length;
    await expect(actions.run("email.send", { subject: "x", text: "y", to: ["dev@acme.test", "someone@evil.test"] })).rejects.toThrow(
      'email.send sends only to notify.email.to; this address is not there: "someone@evil.test"',
    );
    expect(server.received.length).toBe(before);
  });
});
