import type { Run } from "../../src/core/run.js";
import type { RunInfo } from "../../src/integrations/kinds/status.js";
import type { MirrorStore } from "../../src/runs/mirror.js";

/** A run's mirror state kept as our store keeps it: links merge, a notice is claimed once. */
export function memoryMirrorStore(): MirrorStore & { links: Record<string, string> } {
  const links: Record<string, string> = {};
  const claimed = new Set<string>();
  return {
    links,
    getRun: () => Promise.resolve({ id: "run-1", links: { ...links }, costMicros: 1_230_000 } as unknown as Run),
    updateRun: (_id, patch) => {
      Object.assign(links, patch.links);
      return Promise.resolve(null);
    },
    claimNotice: (key) => {
      const first = !claimed.has(key);
      claimed.add(key);
      return Promise.resolve(first);
    },
  };
}

/** The run the sinks are told of: implement on acme/widgets#7, linked to the Jira issue ABC-12. */
export const runInfo: RunInfo = {
  id: "run-1",
  repo: "acme/widgets",
  number: 7,
  kind: "issue",
  task: "implement",
  actor: "octocat",
  title: "ABC-12: add <dark> mode",
  url: "https://github.com/acme/widgets/issues/7",
  runUrl: "https://ai-agent.example/runs/run-1",
  costMicros: 0,
  taskKeys: { jira: "ABC-12" },
};
