import type { Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { redact } from "../../core/redactor.js";
import { RemoteError } from "../kinds/status.js";
import { type SentAnswer, parseSent, smtpError } from "./schema.js";

/** The SMTP server and sender, from the environment. */
export interface SmtpOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** Fail rather than send without STARTTLS. */
  requireTLS: boolean;
  user?: string;
  password?: string;
  from: string;
  /** How long a connection, a greeting or a silent socket may take; short, so a dead server is noticed. */
  timeoutMs?: number;
  /** Extra TLS options (a test's own certificate authority); never from a repository. */
  tls?: SMTPTransport.Options["tls"];
}

export interface OutgoingMail {
  to: readonly string[];
  subject: string;
  text: string;
  /** Absent for a plain-text message. */
  html?: string;
  messageId: string;
  inReplyTo?: string;
  references?: string;
}

/**
 * One mail over SMTP per call, on a fresh connection: notices are few, and a pooled connection a
 * server dropped would fail the next one. What leaves is redacted of every secret the process
 * knows; a failure is a RemoteError that says what the server answered.
 */
export class SmtpClient {
  /** Made on the first mail: a server that sends none never loads nodemailer. */
  private transport: Promise<Transporter<SMTPTransport.SentMessageInfo>> | undefined;
  private readonly where: string;

  constructor(private readonly options: SmtpOptions) {
    this.where = `${options.host}:${options.port}`;
  }

  private connect(): Promise<Transporter<SMTPTransport.SentMessageInfo>> {
    const { options } = this;
    const timeout = options.timeoutMs ?? 20_000;
    return (this.transport ??= import("nodemailer").then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: options.host,
        port: options.port,
        secure: options.secure,
        requireTLS: options.requireTLS,
        ...(options.user ? { auth: { user: options.user, pass: options.password ?? "" } } : {}),
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        ...(options.tls ? { tls: options.tls } : {}),
        // nodemailer logs nothing unless given a logger; keep it so (its debug log holds the AUTH line).
        logger: false,
        debug: false,
      }),
    ));
  }

  get from(): string {
    return this.options.from;
  }

  async send(mail: OutgoingMail): Promise<SentAnswer> {
    try {
      const transport = await this.connect();
      const info: unknown = await transport.sendMail({
        from: this.options.from,
        to: [...mail.to],
        subject: redact(mail.subject),
        text: redact(mail.text),
        ...(mail.html === undefined ? {} : { html: redact(mail.html) }),
        messageId: mail.messageId,
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
        ...(mail.references ? { references: mail.references } : {}),
      });
      return parseSent(info);
    } catch (error) {
      throw error instanceof RemoteError ? error : smtpError(error, this.where);
    }
  }

  close(): void {
    void this.transport?.then((transport) => transport.close());
  }
}
