import { z } from "zod";
import { emptyToUndefined, integer, optionalString } from "../../core/env-schema.js";
import { type EnvProblem, defineIntegration } from "../types.js";
import { EmailOutbox, emailActions } from "./actions.js";
import { SmtpClient } from "./client.js";
import { emailSettingsSchema } from "./settings.js";
import { EmailSink } from "./sink.js";

const flag = (what: string) => z.preprocess(emptyToUndefined, z.enum(["true", "false"], `expected true or false (${what})`).optional());

// `bot@example.com` or `ai-agent <bot@example.com>`.
const MAILBOX = /^(?:[^<>\r\n]{1,100}\s)?<?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$/;

const env = z.object({
  SMTP_HOST: z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, "expected a host name or IP address, such as smtp.example.com").optional()),
  SMTP_PORT: integer(1, 65_535, 587),
  SMTP_SECURE: flag("true for TLS from the first byte, as on port 465; false for STARTTLS"),
  SMTP_REQUIRE_TLS: flag("true refuses to send when the server offers no STARTTLS"),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  SMTP_FROM: z.preprocess(emptyToUndefined, z.string().regex(MAILBOX, 'expected the sender address, such as "ai-agent <ai-agent@example.com>"').optional()),
});

type EmailEnv = z.output<typeof env>;

/** SMTP needs a host and a sender together, and a user and a password together. */
function checkEmailEnv(values: EmailEnv): EnvProblem[] {
  const problems: EnvProblem[] = [];
  const anySet = values.SMTP_HOST || values.SMTP_FROM || values.SMTP_USER || values.SMTP_PASSWORD;
  if (anySet && !values.SMTP_HOST) problems.push({ variable: "SMTP_HOST", message: "set SMTP_HOST, the SMTP server, for email notifications (SMTP_FROM, SMTP_USER or SMTP_PASSWORD is set)" });
  if (anySet && !values.SMTP_FROM) problems.push({ variable: "SMTP_FROM", message: 'set SMTP_FROM, the sender address such as "ai-agent <ai-agent@example.com>", with SMTP_HOST' });
  if (values.SMTP_USER && !values.SMTP_PASSWORD) problems.push({ variable: "SMTP_PASSWORD", message: "set SMTP_PASSWORD with SMTP_USER" });
  if (values.SMTP_PASSWORD && !values.SMTP_USER) problems.push({ variable: "SMTP_USER", message: "set SMTP_USER with SMTP_PASSWORD" });
  return problems;
}

/** Email over SMTP as a notifier: the notable events of a run, one thread per run, to the repository's addresses. */
export const email = defineIntegration({
  id: "email",
  name: "Email",
  kind: "notifier",
  description: "Email over SMTP: the notable events of a run to the repository's addresses, threaded per run",
  env,
  checkEnv: checkEmailEnv,
  secrets: ["SMTP_PASSWORD"],
  settings: emailSettingsSchema,
  actions: emailActions,
  connect(values) {
    if (!values.SMTP_HOST || !values.SMTP_FROM || checkEmailEnv(values).length > 0) return undefined;
    const client = new SmtpClient({
      host: values.SMTP_HOST,
      port: values.SMTP_PORT,
      secure: values.SMTP_SECURE === "true",
      // Credentials never cross in the clear: with a user, STARTTLS is required unless turned off.
      requireTLS: values.SMTP_REQUIRE_TLS ? values.SMTP_REQUIRE_TLS === "true" : Boolean(values.SMTP_USER),
      ...(values.SMTP_USER ? { user: values.SMTP_USER, password: values.SMTP_PASSWORD } : {}),
      from: values.SMTP_FROM,
    });
    return {
      forRepository(settings) {
        return settings ? { sink: new EmailSink(client, settings), own: new EmailOutbox(client, settings.to) } : {};
      },
    };
  },
});
