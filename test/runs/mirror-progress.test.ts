import { describe, expect, it } from "vitest";
import type { RunEvent, StatusSink } from "../../src/integrations/kinds/status.js";
import { RunMirror } from "../../src/runs/mirror.js";
import { memoryMirrorStore, runInfo } from "../helpers/run-mirror.js";

/** A sink whose every event is held until the test lets it through, like a tool that answers slowly. */
function heldSink(name: string) {
  const handled: string[] = [];
  const waiting: (() => void)[] = [];
  const sink: StatusSink = {
    name,
    handle: (event: RunEvent) =>
      new Promise<void>((resolve) =>
        waiting.push(() => {
          handled.push(event.type === "step" ? `step ${event.step} ${event.status}` : event.type);
          resolve();
        }),
      ),
  };
  const letThrough = async () => {
    for (let tries = 0; waiting.length === 0 && tries < 100; tries++) await new Promise((resolve) => setImmediate(resolve));
    waiting.shift()?.();
  };
  return { sink, handled, letThrough, waiting: () => waiting.length };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("a run's mirror, while a sink is slow", () => {
  it("replaces a step's progress still waiting with the newer one, and delivers every other event in order", async () => {
    const slow = heldSink("slow");
    const mirror = new RunMirror([slow.sink], () => runInfo, memoryMirrorStore(), { warn: () => undefined });
    mirror.emit({ type: "started" });
    await settle();
    // While "started" is with the sink:
    mirror.emit({ type: "step", step: "Plan", status: "running" });
    mirror.emit({ type: "step", step: "Plan", status: "succeeded" });
    mirror.emit({ type: "step", step: "Code", status: "running" });
    mirror.emit({ type: "pr_opened", url: "https://github.com/acme/widgets/pull/8" });
    mirror.emit({ type: "step", step: "Code", status: "succeeded" });
    mirror.emit({ type: "step", step: "Notify", status: "running" });
    mirror.emit({ type: "succeeded" });
    for (let i = 0; i < 5; i++) await slow.letThrough();
    await mirror.flush(1_000);
    expect(slow.handled).toEqual(["started", "step Code running", "pr_opened", "step Notify running", "succeeded"]);
    expect(slow.waiting()).toBe(0);
  });

  it("holds no other sink up, and each gets its own newest progress", async () => {
    const slow = heldSink("slow");
    const quick = heldSink("quick");
    const mirror = new RunMirror([slow.sink, quick.sink], () => runInfo, memoryMirrorStore(), { warn: () => undefined });
    mirror.emit({ type: "step", step: "Plan", status: "running" });
    await quick.letThrough();
    mirror.emit({ type: "step", step: "Plan", status: "succeeded" });
    await quick.letThrough();
    expect(quick.handled).toEqual(["step Plan running", "step Plan succeeded"]);
    expect(slow.handled).toEqual([]);
    await slow.letThrough();
    await slow.letThrough();
    await mirror.flush(1_000);
    expect(slow.handled).toEqual(["step Plan running", "step Plan succeeded"]);
  });
});
