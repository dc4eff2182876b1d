/**
 * GitHub and the Messages API for a benchmark, in a process of their own, as they are for a
 * deployed app: what the fakes cost does not land on the event loop of the app being measured, nor
 * on the one timing it. Run by a bench with `fork()`; serves the bare repositories under the
 * folder given as its argument, grants `write` to the login in PEERS_WRITER, answers every model
 * request with a one-step plan, and sends `{ github, anthropic }` (host:port, URL) to its parent
 * once listening. Stops on SIGTERM.
 */
import { type RecordedRequest, type ScriptedReply, startFakeAnthropic } from "../../test/helpers/fake-anthropic.js";
import { startGitHubHttp } from "../../test/helpers/github-http.js";

export interface RemoteServices {
  github: string;
  anthropic: string;
}

const [root] = process.argv.slice(2);
if (!root || !process.send) throw new Error("run with fork(), the repositories' folder as argument");

const plan = (request: RecordedRequest): ScriptedReply => {
  const tools = ((request.body.tools ?? []) as { name: string }[]).map((t) => t.name);
  const [name] = tools.includes("submit_plan") ? ["submit_plan"] : tools;
  return { content: [{ type: "tool_use", name: name ?? "submit_plan", input: { summary: "Planned.", steps: [{ title: "Do it" }], estimate: "minutes" } }] };
};

const github = await startGitHubHttp(root, Number(process.env.PEERS_APP_ID ?? 1));
if (process.env.PEERS_WRITER) github.permissions.set(process.env.PEERS_WRITER, "write");
const anthropic = await startFakeAnthropic([], { fallback: plan });
process.once("SIGTERM", () => void Promise.all([github.close(), anthropic.close()]).finally(() => process.exit(0)));
process.send({ github: github.host, anthropic: anthropic.url } satisfies RemoteServices);
