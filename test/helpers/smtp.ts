import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";

/**
 * A real SMTP server for tests (smtp-server): it keeps what it received, raw, and answers as a
 * test sets it (a 4xx or 5xx to a recipient or to the message). Beside it, two broken servers
 * made of a bare socket: one that drops the connection when the mail begins, one that never greets.
 */

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Whether the session was under TLS (STARTTLS) when the message came. */
  secure: boolean;
  user?: string;
}

export interface SmtpAnswers {
  /** A refusal for a recipient, such as [550, "5.1.1 no such mailbox"]. */
  rcpt?: (address: string) => [number, string] | undefined;
  /** A refusal after the message's data. */
  data?: () => [number, string] | undefined;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  answers: SmtpAnswers;
  /** Every AUTH attempt, with the password it carried. */
  logins: { user: string; password: string; secure: boolean }[];
  close(): Promise<void>;
}

function refusal([code, message]: [number, string]): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpServer(options: { tls?: { key: string; cert: string }; auth?: { user: string; password: string } } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const logins: TestSmtpServer["logins"] = [];
  const answers: SmtpAnswers = {};
  const serverOptions: SMTPServerOptions = {
    logger: false,
    disabledCommands: options.tls ? [] : ["STARTTLS"],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    authOptional: !options.auth,
    // Plain AUTH over an unencrypted socket is what the client's requireTLS must prevent; the server allows it so a test can see it does.
    allowInsecureAuth: true,
    onAuth(auth, session, callback) {
      logins.push({ user: auth.username ?? "", password: auth.password ?? "", secure: session.secure });
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error("5.7.8 authentication failed"), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const answer = answers.rcpt?.(address.address);
      callback(answer ? refusal(answer) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const answer = answers.data?.();
        if (answer) return callback(refusal(answer));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          secure: session.secure,
          ...(typeof session.user === "string" ? { user: session.user } : {}),
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return { port, received, answers, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A server that greets and takes EHLO, then drops the connection when the client starts a mail. */
export async function startDroppingSmtp(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.write("220 drop.test ESMTP\r\n");
    socket.on("data", (data) => {
      const line = data.toString("utf8");
      if (/^(EHLO|HELO)/i.test(line)) socket.write("250 drop.test\r\n");
      else socket.destroy();
    });
    socket.on("error", () => undefined);
  });
  return listening(server, () => undefined);
}

/** A server that takes connections and never says a word, until `release` drops them (and every later one). */
export async function startSilentSmtp(): Promise<{ port: number; connected: () => number; release(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  let released = false;
  const server = net.createServer((socket) => {
    count += 1;
    if (released) return socket.destroy();
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  const release = () => {
    released = true;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const base = await listening(server, release);
  return { ...base, connected: () => count, release };
}

async function listening(server: net.Server, before: () => void): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => {
      before();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: one the system gave out and took back. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A self-signed certificate for 127.0.0.1, made with openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "ai-agent-smtp-tls-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A received message's headers (unfolded, by lower-case name) and its parts by content type, decoded. */
export function parseMail(raw: string): { headers: Record<string, string>; parts: Record<string, string> } {
  const { headers, body } = split(raw);
  const parts: Record<string, string> = {};
  const boundary = /boundary="?([^";]+)"?/i.exec(headers["content-type"] ?? "")?.[1];
  if (boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1, -1)) {
      const part = split(chunk.replace(/^\r?\n/, ""));
      parts[(part.headers["content-type"] ?? "").split(";")[0]!.trim()] = decode(part.body, part.headers["content-transfer-encoding"]);
    }
  }
  return { headers, parts };
}

function split(text: string): { headers: Record<string, string>; body: string } {
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? "" : text.slice(end).replace(/^\r?\n\r?\n/, "");
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decode(body: string, encoding: string | undefined): string {
  if (/quoted-printable/i.test(encoding ?? "")) {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  if (/base64/i.test(encoding ?? "")) return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  return body;
}
