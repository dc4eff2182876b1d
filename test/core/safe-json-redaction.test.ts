import { describe, expect, it } from "vitest";
import { registerSecret } from "../../src/core/redactor.js";
import { storable, wellFormed } from "../../src/core/safe-json.js";

const TOKEN = "ghs_storeredactiontoken0123";

describe("what the store keeps", () => {
  registerSecret(TOKEN);

  it("holds no secret the process knows: steps' outputs and errors, links, keys", () => {
    const patch = storable({
      steps: [{ id: "push", status: "failed", outputs: { stderr: `remote: ${TOKEN}`, [TOKEN]: 1 }, error: `fatal: ${TOKEN}` }],
      links: { branch: `https://x-access-token:${TOKEN}@github.com/o/r/tree/ai/1` },
      at: new Date(0),
    });
    expect(JSON.stringify(patch)).not.toContain(TOKEN);
    expect(patch.steps[0]!.error).toBe("fatal: [redacted]");
    expect(patch.links.branch).toBe("https://[redacted]@github.com/o/r/tree/ai/1");
    expect(patch.at).toEqual(new Date(0));
  });

  it("redacts before it cuts, so a secret across the cut is not left in halves", () => {
    // The cut keeps the first `head` characters: the token starts 12 characters before that.
    const length = 6000;
    const head = Math.ceil((2000 - `\n… (${length} characters cut) …\n`.length) / 2);
    const long = `${"a".repeat(head - 12)}${TOKEN}`.padEnd(length, "b");
    const kept = storable({ text: long }, { maxString: 2000, maxTotal: 1_000_000 });
    expect(kept.text).toContain("[redacted]");
    expect(kept.text).not.toContain(TOKEN.slice(0, 12));
  });

  it("leaves requests that must arrive as they are to wellFormed, which redacts nothing", () => {
    expect(wellFormed({ text: `a ${TOKEN}` }).text).toBe(`a ${TOKEN}`);
  });
});
