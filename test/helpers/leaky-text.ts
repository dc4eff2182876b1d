import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";
import { registerSecret } from "../../src/core/redactor.js";
import { generatePrivateKey } from "./keys.js";

/**
 * What a step's output or a failure may hold, on its way to a mirror: the App's private key, an
 * installation token and the mirror's own `token`. `register` makes them the process's secrets;
 * `expectClean` checks that a request sent on holds none of them, only the mark of redaction.
 */
export function leakyText(token: string) {
  const privateKey = generatePrivateKey();
  const installationToken = "ghs_mirrorredactiontoken42";
  return {
    text: `failed: ${installationToken} with ${privateKey} (token ${token})`,
    register: () => {
      for (const secret of [privateKey, token, installationToken]) registerSecret(secret);
    },
    expectClean: (sent: string) => {
      for (const secret of [token, installationToken, ...privateKey.split("\n").filter((l) => l.length > 16)]) expect(sent).not.toContain(secret);
      expect(sent).toContain("[redacted]");
    },
  };
}

/** `leakyText` for a describe whose mirror is faked with nock: no real network, and its secrets registered before each test. */
export function leakyMirrorText(token: string) {
  const leaky = leakyText(token);
  beforeEach(() => {
    nock.disableNetConnect();
    leaky.register();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  return leaky;
}
