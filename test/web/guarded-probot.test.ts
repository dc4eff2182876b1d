import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GuardedProbot } from "../../src/web/guarded-probot.js";
import { generatePrivateKey } from "../helpers/keys.js";
import { deliver, examplePayload, sign } from "../helpers/webhooks.js";

/**
 * The guarded webhook middleware checks a delivery's signature once: the guard's check, and never a
 * second HMAC in Probot's middleware for the same payload. Whatever the guard did not check goes
 * through @octokit/webhooks' own verification as before.
 */
const secret = "guarded-probot-secret-9a1f";
let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve() {
  const probot = new GuardedProbot({ appId: 1, privateKey: generatePrivateKey(), secret, log: pino({ level: "silent" }) });
  const received: string[] = [];
  // load() waits for Probot to set up its webhooks, which the spy below needs.
  await probot.load((app) => {
    app.on("issues", async (context) => void received.push(context.id));
  });
  const original = probot.webhooks.verifyAndReceive;
  const verifyAndReceive = vi.fn(original);
  probot.webhooks.verifyAndReceive = verifyAndReceive;
  const middleware = await probot.getNodeMiddleware();
  server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  return { probot, received, verifyAndReceive, url };
}

describe("the guarded Probot", () => {
  it("takes a signed delivery with the guard's check alone", async () => {
    const { received, verifyAndReceive, url } = await serve();
    const res = await deliver(url, "issues", examplePayload("issues", "opened"), secret, "delivery-1");
    expect(res.status).toBe(200);
    expect(received).toEqual(["delivery-1"]);
    expect(verifyAndReceive).not.toHaveBeenCalled();
  });

  it("still refuses a forged delivery, at the guard", async () => {
    const { received, verifyAndReceive, url } = await serve();
    const res = await deliver(url, "issues", examplePayload("issues", "opened"), "not-the-secret");
    expect(res.status).toBe(400);
    expect(received).toEqual([]);
    expect(verifyAndReceive).not.toHaveBeenCalled();
  });

  it("checks, as before, whatever reaches @octokit/webhooks without the guard", async () => {
    const { probot, received, verifyAndReceive } = await serve();
    const payload = JSON.stringify(examplePayload("issues", "opened"));
    await expect(probot.webhooks.verifyAndReceive({ id: "d-forged", name: "issues", payload, signature: sign("other", payload) })).rejects.toThrow(/signature does not match/);
    await probot.webhooks.verifyAndReceive({ id: "d-signed", name: "issues", payload, signature: sign(secret, payload) });
    expect(verifyAndReceive).toHaveBeenCalledTimes(2);
    expect(received).toEqual(["d-signed"]);
  });

  it("answers 400 for a signed body that is not JSON, as @octokit/webhooks does", async () => {
    const { received, url } = await serve();
    const body = "{not json";
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": "d-bad-json", "x-hub-signature-256": sign(secret, body) },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Invalid JSON");
    expect(received).toEqual([]);
  });
});
