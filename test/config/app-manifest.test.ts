import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { TASK_PERMISSIONS } from "../../src/integrations/github/token-scope.js";
import { INTAKE_EVENTS } from "../../src/triggers/webhook.js";

/** The manifest asks for nothing the code does not use: every event is handled, every permission needed. */
describe("app.yml", () => {
  const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
    default_events: string[];
    default_permissions: Record<string, string>;
  };

  it("subscribes only to the events the app handles", () => {
    const handled = new Set(INTAKE_EVENTS.map((event) => event.split(".")[0]));
    expect(manifest.default_events.filter((event) => !handled.has(event))).toEqual([]);
  });

  it("asks for no permission its tokens never use, and for no more than they use", () => {
    const used: Record<string, string> = {};
    for (const permissions of Object.values(TASK_PERMISSIONS)) {
      for (const [name, level] of Object.entries(permissions)) if (used[name] !== "write") used[name] = level;
    }
    expect(manifest.default_permissions).toEqual(used);
  });
});
