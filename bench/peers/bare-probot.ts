/**
 * A bare Probot app for a benchmark's baseline, in a process of its own like the app it is compared
 * with: Probot's server and signature check, and a handler that does nothing. Run by a bench with
 * `fork()`; listens on 127.0.0.1 at PEERS_PORT with the secret in PEERS_SECRET and sends "ready"
 * to its parent. Stops on SIGTERM.
 */
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, Server } from "probot";

if (!process.send || !process.env.PEERS_PORT || !process.env.PEERS_SECRET) throw new Error("run with fork(), PEERS_PORT and PEERS_SECRET set");
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const log = pino({ level: "silent" });
const server = new Server({
  Probot: Probot.defaults({ appId: 1, privateKey, secret: process.env.PEERS_SECRET, log }),
  log,
  port: Number(process.env.PEERS_PORT),
  host: "127.0.0.1",
});
await server.load((app) => {
  app.on("issue_comment.created", async () => undefined);
});
await server.start();
process.once("SIGTERM", () => void server.stop().finally(() => process.exit(0)));
process.send("ready");
