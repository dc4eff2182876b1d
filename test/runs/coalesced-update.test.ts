import { describe, expect, it } from "vitest";
import { CoalescedUpdates } from "../../src/runs/coalesced-update.js";

/** A write that is held until the test lets it answer, recording what it was asked and how many were on their way. */
function heldWrites(options: { fail?: (state: string) => boolean } = {}) {
  const written: string[] = [];
  const waiting: { state: string; answer: () => void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const write = (key: string, state: string) => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    return new Promise<void>((resolve, reject) =>
      waiting.push({
        state: `${key}:${state}`,
        answer: () => {
          inFlight -= 1;
          written.push(`${key}:${state}`);
          if (options.fail?.(state)) reject(new Error(`GitHub refused ${state}`));
          else resolve();
        },
      }),
    );
  };
  const warnings: unknown[] = [];
  const log = { warn: (...args: unknown[]) => void warnings.push(args) };
  /** Answers the write on its way, once it has been asked. */
  const answer = async () => {
    for (let tries = 0; waiting.length === 0 && tries < 100; tries++) await Promise.resolve();
    const next = waiting.shift();
    if (!next) throw new Error("no write on its way");
    next.answer();
    return next.state;
  };
  return { write, log, written, warnings, answer, pending: () => waiting.map((w) => w.state), mostInFlight: () => mostInFlight };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe("coalesced updates", () => {
  it("returns at once and writes the first state without waiting for anything", async () => {
    const writes = heldWrites();
    const updates = new CoalescedUpdates(writes.write, writes.log);
    updates.set("comment", "working");
    await settle();
    expect(writes.pending()).toEqual(["comment:working"]);
  });

  it("keeps one write in flight per key, and sends only the newest of the states set meanwhile", async () => {
    const writes = heldWrites();
    const updates = new CoalescedUpdates(writes.write, writes.log);
    updates.set("comment", "step 1 running");
    await settle();
    updates.set("comment", "step 1 done");
    updates.set("comment", "step 2 running");
    updates.set("comment", "step 2 done");
    await settle();
    // The first is still on its way: nothing else was sent beside it.
    expect(writes.pending()).toEqual(["comment:step 1 running"]);
    await writes.answer();
    await settle();
    expect(writes.pending()).toEqual(["comment:step 2 done"]);
    await writes.answer();
    await updates.flush();
    expect(writes.written).toEqual(["comment:step 1 running", "comment:step 2 done"]);
    expect(writes.mostInFlight()).toBe(1);
  });

  it("writes different keys side by side, each in its own order", async () => {
    const writes = heldWrites();
    const updates = new CoalescedUpdates(writes.write, writes.log);
    updates.set("a", "1");
    updates.set("b", "1");
    await settle();
    expect(writes.pending()).toEqual(["a:1", "b:1"]);
    updates.set("a", "2");
    await writes.answer();
    await writes.answer();
    await writes.answer();
    await updates.flush();
    expect(writes.written).toEqual(["a:1", "b:1", "a:2"]);
  });

  it("flush waits for the final state to be written, after any write on its way", async () => {
    const writes = heldWrites();
    const updates = new CoalescedUpdates(writes.write, writes.log);
    updates.set("comment", "working");
    await settle();
    updates.set("comment", "done");
    let flushed = false;
    const flushing = updates.flush("comment").then(() => (flushed = true));
    await writes.answer();
    await settle();
    expect(flushed).toBe(false);
    expect(writes.pending()).toEqual(["comment:done"]);
    await writes.answer();
    await flushing;
    // The final state was the last to land: no stale one overtook it.
    expect(writes.written.at(-1)).toBe("comment:done");
  });

  it("flush resolves at once with nothing to write", async () => {
    const writes = heldWrites();
    const updates = new CoalescedUpdates(writes.write, writes.log);
    await updates.flush();
    await updates.flush("comment");
    expect(writes.written).toEqual([]);
  });

  it("logs a failed write and still writes the next state: a failure does not wedge the key", async () => {
    const writes = heldWrites({ fail: (state) => state === "working" });
    const updates = new CoalescedUpdates(writes.write, writes.log, "tracking comment");
    updates.set("comment", "working");
    await settle();
    updates.set("comment", "done");
    await writes.answer();
    await writes.answer();
    await updates.flush();
    expect(writes.written).toEqual(["comment:working", "comment:done"]);
    expect(writes.warnings).toHaveLength(1);
    expect(JSON.stringify(writes.warnings[0])).toContain("tracking comment failed");
    // And a state set after the failure, once all is quiet, is written too.
    updates.set("comment", "edited");
    await writes.answer();
    await updates.flush();
    expect(writes.written.at(-1)).toBe("comment:edited");
  });

  it("catches a write that throws before returning a promise", async () => {
    const warnings: unknown[] = [];
    const written: string[] = [];
    const updates = new CoalescedUpdates<string>(
      (_key, state) => {
        if (state === "bad") throw new Error("thrown at once");
        written.push(state);
        return Promise.resolve();
      },
      { warn: (...args: unknown[]) => void warnings.push(args) },
    );
    updates.set("comment", "bad");
    await updates.flush();
    updates.set("comment", "good");
    await updates.flush();
    expect(written).toEqual(["good"]);
    expect(warnings).toHaveLength(1);
  });
});
