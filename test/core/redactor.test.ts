import { describe, expect, it } from "vitest";
import { REDACTED, Redactor, redactOutput } from "../../src/core/redactor.js";
import { generatePrivateKey } from "../helpers/keys.js";

describe("the redactor", () => {
  it("removes a value, its JSON-escaped, URL-encoded and base64 forms, and git's Basic credentials", () => {
    const redactor = new Redactor();
    const secret = 'p@ss "word"/+&=';
    redactor.add(secret);
    const text = [
      `raw ${secret}`,
      `json ${JSON.stringify({ secret })}`,
      `url ?q=${encodeURIComponent(secret)}`,
      `b64 ${Buffer.from(secret).toString("base64")}`,
      `b64url ${Buffer.from(secret).toString("base64url")}`,
      `basic ${Buffer.from(`x-access-token:${secret}`).toString("base64")}`,
    ].join("\n");
    const out = redactor.redact(text);
    expect(out).not.toContain("ss \"word");
    expect(out).not.toContain("ss \\\"word");
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(Buffer.from(secret).toString("base64"));
    expect(out).not.toContain(Buffer.from(`x-access-token:${secret}`).toString("base64"));
    expect(out.split(REDACTED)).toHaveLength(7);
  });

  it("removes a PEM key whole, and each line of it that appears alone", () => {
    const redactor = new Redactor();
    const key = generatePrivateKey();
    redactor.add(key);
    const line = key.split("\n")[5]!;
    expect(redactor.redact(`key: ${key} end`)).toBe(`key: ${REDACTED} end`);
    expect(redactor.redact(`…${line}\n(cut)`)).toBe(`…${REDACTED}\n(cut)`);
    expect(redactor.redact(JSON.stringify(key))).toBe(`"${REDACTED}"`);
  });

  it("ignores values too short to be secrets, so text is not mangled", () => {
    const redactor = new Redactor();
    redactor.add("test");
    redactor.add("");
    redactor.add(undefined);
    expect(redactor.size).toBe(0);
    expect(redactor.redact("a test of the test")).toBe("a test of the test");
  });

  it("removes credentials from URLs without running past the URL", () => {
    const redactor = new Redactor();
    expect(redactor.redact("clone https://x-access-token:ghs_abc@github.com/o/r.git now")).toBe(`clone https://${REDACTED}@github.com/o/r.git now`);
    expect(redactor.redact('{"a":"postgres://u:p@db:5432/x","b":"c@d"}')).toBe(`{"a":"postgres://${REDACTED}@db:5432/x","b":"c@d"}`);
    expect(redactor.redact("see https://example.com and @octocat, <https://x.test|@bob>")).toBe("see https://example.com and @octocat, <https://x.test|@bob>");
  });

  it("removes the app's API tokens by their form, though none was registered", () => {
    const redactor = new Redactor();
    const token = `aia_${Buffer.alloc(32, 0xfb).toString("base64url")}`;
    expect(token).toMatch(/^aia_[A-Za-z0-9_-]{43}$/);
    const out = redactor.redact(`curl -H "Authorization: Bearer ${token}" …\n{"token":"${token}"}\n?t=${token}&x=1`);
    expect(out).not.toContain(token.slice(4));
    expect(out.split(REDACTED)).toHaveLength(4);
    // The prefix alone, or too short to be a token, is text.
    expect(redactor.redact("the aia_ prefix, aia_short")).toBe("the aia_ prefix, aia_short");
    expect(redactor.redactDeep({ note: `pasted ${token}` })).toEqual({ note: `pasted ${REDACTED}` });
  });

  it("replaces the longest value first", () => {
    const redactor = new Redactor();
    redactor.add("secret-value");
    redactor.add("secret-value-longer");
    expect(redactor.redact("secret-value-longer and secret-value")).toBe(`${REDACTED} and ${REDACTED}`);
  });

  it("redacts every string and key of objects and arrays, leaving Dates and other objects as they are", () => {
    const redactor = new Redactor();
    redactor.add("ghs_0123456789abcdef");
    const at = new Date();
    const value = { out: ["token ghs_0123456789abcdef"], nested: { ghs_0123456789abcdef: 1, at }, n: 3, none: null };
    const copy = redactor.redactDeep(value);
    expect(copy).toEqual({ out: [`token ${REDACTED}`], nested: { [REDACTED]: 1, at }, n: 3, none: null });
    expect(copy.nested.at).toBe(at);
    expect(value.out[0]).toBe("token ghs_0123456789abcdef"); // not changed in place
  });

  it("forgets tokens a day after they expire, never keys", () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const redactor = new Redactor(() => now);
    redactor.add("a-private-key-value");
    redactor.add("ghs_tokenthatexpires", { expiresAt: now + 3_600_000 });
    now += 3_600_000 + 25 * 3_600_000;
    redactor.add("ghs_anothertokenvalue", { expiresAt: now + 3_600_000 });
    expect(redactor.redact("ghs_tokenthatexpires a-private-key-value ghs_anothertokenvalue")).toBe(`ghs_tokenthatexpires ${REDACTED} ${REDACTED}`);
  });

  it("removes from what commands print the credentials known by their shape alone, and leaves ordinary words", () => {
    const key = generatePrivateKey();
    const shaped = [
      "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
      "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz-0123456789",
      "xoxb-123456789012-abcdefghijkl",
      "AKIAIOSFODNN7EXAMPLE",
    ];
    const out = redactOutput(`${shaped.join("\n")}\n${key}\ncut: ${key.slice(0, 200)}`);
    for (const secret of [...shaped, key.split("\n")[3]!]) expect(out).not.toContain(secret);
    expect(redactOutput("ghs_ short sk-ant-e2e ask-anthropic task-ant-hill")).toBe("ghs_ short sk-ant-e2e ask-anthropic task-ant-hill");
  });
});
