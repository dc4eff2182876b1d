import { z } from "zod";
import { RemoteError } from "../kinds/status.js";

/**
 * What an SMTP send answers, as nodemailer reports it: the recipients the server took and the ones
 * it refused. A server that takes the message for nobody has not delivered it.
 */
export const sentAnswer = z.object({
  messageId: z.string().optional(),
  accepted: z.array(z.union([z.string(), z.object({ address: z.string() })])).default([]),
  rejected: z.array(z.union([z.string(), z.object({ address: z.string() })])).default([]),
  response: z.string().optional(),
});

export type SentAnswer = z.output<typeof sentAnswer>;

/** The answer as `sentAnswer` reads it, or an error saying what was unexpected. */
export function parseSent(answer: unknown): SentAnswer {
  const parsed = sentAnswer.safeParse(answer);
  if (!parsed.success) throw new RemoteError(0, "the SMTP transport answered with an unexpected result");
  if (parsed.data.accepted.length === 0) throw new RemoteError(0, "the SMTP server accepted the message for none of its recipients");
  return parsed.data;
}

/** The fields of nodemailer's errors that say what the server answered. */
const smtpFailure = z.object({
  code: z.string().optional(),
  responseCode: z.number().optional(),
  response: z.string().optional(),
  command: z.string().optional(),
});

/**
 * A failed send as a RemoteError whose message says what happened (a 4xx is worth retrying later, a
 * 5xx is not) and holds no credential: the server's reply line is cut short, and an AUTH command,
 * which carries the password, is never quoted.
 */
export function smtpError(error: unknown, where: string): RemoteError {
  const failure = smtpFailure.safeParse(error);
  const { code, responseCode, response, command } = failure.success ? failure.data : {};
  if (responseCode !== undefined && responseCode >= 400 && /^STARTTLS\b/i.test(command ?? "")) {
    return new RemoteError(responseCode, `the SMTP server at ${where} offers no STARTTLS (it answered ${oneLine(response ?? String(responseCode))}), and SMTP_REQUIRE_TLS asks for it`);
  }
  if (responseCode !== undefined && responseCode >= 400) {
    // The command's verb only: an AUTH line carries the credentials.
    const verb = command ? ` to ${command.split(/\s/, 1)[0]!.toUpperCase()}` : "";
    const kind = responseCode < 500 ? "a temporary refusal" : "a refusal";
    const reply = oneLine(response ?? String(responseCode));
    return new RemoteError(responseCode, `the SMTP server at ${where} answered${verb} with ${kind}: ${reply}`);
  }
  switch (code) {
    case "ECONNECTION":
    case "ESOCKET":
    case "EDNS":
      return new RemoteError(0, `could not reach the SMTP server at ${where}, or it dropped the connection (${code}${causeCode(error)})`);
    case "ETIMEDOUT":
      return new RemoteError(0, `the SMTP server at ${where} did not answer in time`);
    case "ETLS":
      return new RemoteError(0, `the SMTP server at ${where} offers no STARTTLS, or its TLS failed, and SMTP_REQUIRE_TLS asks for it`);
    case "EAUTH":
      return new RemoteError(0, `the SMTP server at ${where} refused SMTP_USER and SMTP_PASSWORD`);
    default:
      return new RemoteError(0, `sending through the SMTP server at ${where} failed (${code ?? (error instanceof Error ? error.name : "unknown error")})`);
  }
}

/** A socket error's own code (ECONNREFUSED, ECONNRESET) when nodemailer's message names one. */
function causeCode(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const found = /\b(E[A-Z]{4,})\b/.exec(message)?.[1];
  return found && found !== "ECONNECTION" && found !== "ESOCKET" ? `: ${found}` : "";
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
