import { randomUUID } from "node:crypto";
import { z } from "zod";
import { UserFacingError } from "../../core/errors.js";
import { type RegisteredAction, defineAction } from "../../core/action.js";
import type { SmtpClient } from "./client.js";

/**
 * `email.send`, for workflows that mail explicitly: the server's SMTP, to the repository's
 * `notify.email.to` or some of them. Only those: a step's input is a template, and text from an
 * issue must not turn the server into a mailer to addresses nobody with write access chose.
 */

/** What `email.send` reaches through the run's parts: the client and the addresses the settings allow. */
export class EmailOutbox {
  constructor(
    readonly client: SmtpClient,
    readonly addresses: readonly string[],
  ) {}
}

export const emailActions: readonly RegisteredAction[] = [
  defineAction({
    name: "email.send",
    description: "Sends a plain-text email to the addresses in notify.email.to (or some of them).",
    input: z.strictObject({
      subject: z.string().min(1, "expected the subject").max(200, "expected a subject of at most 200 characters").describe("The subject; a template."),
      text: z.string().min(1, "expected the message text").describe("The message; a template."),
      to: z.array(z.string()).min(1, "expected at least one address").optional().describe("Some of notify.email.to; all of them when absent."),
    }),
    outputs: { message_id: "the message's Message-ID" },
    async run(input, context) {
      const connected = context.services.integrations;
      if (!connected) throw new UserFacingError("email.send needs the status mirrors, and this run has none.");
      const outbox = connected.email?.own;
      if (!(outbox instanceof EmailOutbox)) throw new UserFacingError("email.send needs SMTP_HOST and SMTP_FROM on the server, and notify.email.to in .github/ai-agent.yml.");
      const to = input.to ?? outbox.addresses;
      const unknown = to.filter((address) => !outbox.addresses.includes(address));
      if (unknown.length > 0) throw new UserFacingError(`email.send sends only to notify.email.to; ${unknown.length === 1 ? "this address is" : "these addresses are"} not there: ${unknown.map((a) => JSON.stringify(a.slice(0, 80))).join(", ")}`);
      const messageId = `<step-${randomUUID()}@ai-agent>`;
      await outbox.client.send({ to, subject: input.subject.replace(/[\r\n\t]+/g, " "), text: input.text, messageId });
      return { message_id: messageId };
    },
  }),
];
